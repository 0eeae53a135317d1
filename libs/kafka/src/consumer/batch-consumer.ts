import type * as avro from 'avsc';
import type {
  Consumer,
  ConsumerConfig,
  EachBatchPayload,
  Kafka,
  KafkaMessage,
  Message,
} from 'kafkajs';
import {
  BackpressureSignal,
  classifyError,
  errorCode,
  errorMessage,
  RetriesExhaustedError,
  type UnknownErrorPolicy,
} from '../errors';
import { STREAM_DEFINITIONS, streamForTopic } from '@citypulse/contracts';
import { ensureTopics } from '../admin/ensure-topics';
import {
  chunkBySize,
  dlqStub,
  headersBytes,
  isTooLargeForBroker,
  withoutValue,
} from '../dlq/dlq-batches';
import { buildDlqHeaders, dlqTopicFor, MAX_ERROR_MESSAGE_LENGTH } from '../dlq/dlq-headers';
import { NOOP_METRICS, type KafkaMetrics } from '../metrics';
import { backoffDelay, DEFAULT_BACKOFF, shouldRetry, type BackoffOptions } from '../retry/backoff';
import type { AvroSerde } from '../serde/avro-serde';
import { KafkaProducer } from '../producer/kafka-producer';
import { peekSchemaId } from '../wire/confluent-frame';
import {
  DEFAULT_RECORD_LIMITS,
  longFieldError,
  oversizeError,
  type RecordLimits,
} from './record-limits';
import type {
  BatchHandlerContext,
  HandlerContext,
  HandlerOptions,
  HandlerRegistration,
  KafkaLogger,
  KafkaRecord,
} from './types';

export interface BatchConsumerOptions {
  kafka: Kafka;
  serde: AvroSerde;
  groupId: string;
  /** Names this service in DLQ headers. */
  service: string;
  handlers: HandlerRegistration[];
  /** Where a new group starts on a topic with no committed offset. Default true. */
  fromBeginning?: boolean;
  /** Passed to kafka.consumer() (session timeout, fetch sizes, ...). */
  consumerConfig?: Partial<ConsumerConfig>;
  /** Partitions handled at once. Default 1 (records of one partition are always handled in order). */
  partitionsConsumedConcurrently?: number;
  /** Commit handled offsets at least this often inside long batches. Default 5,000 ms. */
  commitIntervalMs?: number;
  /** On stop, finish the batch in flight for at most this long, then stop at the next record. Default 30,000 ms. */
  drainTimeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  /**
   * The largest record (key + value bytes) handled; a larger one goes to the DLQ undecoded, without
   * its value (code TOO_LARGE). Default 1 MiB.
   */
  maxRecordBytes?: number;
  /** The longest string or bytes field of a decoded record (code FIELD_TOO_LONG). Default 65,536. */
  maxStringChars?: number;
  /** Create `<topic>.dlq` at start when it does not exist. Default true. */
  ensureDlqTopics?: boolean;
  metrics?: KafkaMetrics;
  logger?: KafkaLogger;
  /** kafkajs instrumentation listeners (`consumer.events.*`), attached before the consumer connects. */
  listeners?: Array<[event: string, listener: (event: unknown) => void]>;
  /**
   * Called once on a failure the consumer cannot recover from (kafkajs crash without restart,
   * transient errors past their retries, a DLQ write that fails). Default: exit the process with
   * code 1, so a supervisor restarts it from the last committed offset.
   */
  onFatal?: (error: unknown) => void | Promise<void>;
}

interface CompiledHandler {
  reg: HandlerRegistration;
  backoff: BackoffOptions;
  reader: avro.Type | undefined;
  eventTime: (value: unknown, record: KafkaRecord) => number;
  maxBatchRecords: number;
}

type Outcome =
  | { kind: 'ok' }
  | { kind: 'dlq'; error: unknown; attempt: number }
  | { kind: 'backpressure'; resumeAfterMs: number }
  | { kind: 'fatal'; error: unknown }
  | { kind: 'abandoned' };

interface Failure {
  message: KafkaMessage;
  error: unknown;
  schemaId: number | undefined;
  attempt: number;
}

type Decoded = { record: KafkaRecord | undefined } | { failure: Failure };

/** Per-batch helpers from kafkajs plus our stop condition. */
interface BatchScope {
  topic: string;
  partition: number;
  heartbeat: () => Promise<void>;
  shouldStop: () => boolean;
}

const HEARTBEAT_EVERY_MS = 1_000;

function defaultEventTime(value: unknown, record: KafkaRecord): number {
  if (typeof value === 'object' && value !== null) {
    const v = value as { event_time?: unknown; eventTime?: unknown };
    const t = v.event_time ?? v.eventTime;
    if (typeof t === 'number') return t;
    if (t instanceof Date) return t.getTime();
  }
  return Number(record.timestamp);
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function'
  );
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The batch consumer behind the NestJS transport, usable on its own: consumes with eachBatch,
 * decodes Confluent Avro, calls a handler per record or per batch, resolves an offset only once
 * the handler is done with it, sends bad records to `<topic>.dlq`, retries transient errors with
 * capped exponential backoff, pauses on backpressure, and drains on stop.
 */
export class BatchConsumer {
  private readonly handlers = new Map<string, CompiledHandler>();
  private readonly metrics: KafkaMetrics;
  private readonly logger: KafkaLogger;
  private readonly limits: RecordLimits;
  private consumer: Consumer | undefined;
  private producer: KafkaProducer | undefined;
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private draining = false;
  private drainExpired = false;
  private failed = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly opts: BatchConsumerOptions) {
    this.metrics = opts.metrics ?? NOOP_METRICS;
    this.logger = opts.logger ?? console;
    this.limits = {
      maxRecordBytes: opts.maxRecordBytes ?? DEFAULT_RECORD_LIMITS.maxRecordBytes,
      maxStringChars: opts.maxStringChars ?? DEFAULT_RECORD_LIMITS.maxStringChars,
    };
    for (const reg of opts.handlers) {
      if (this.handlers.has(reg.topic)) throw new Error(`two handlers for topic ${reg.topic}`);
      const o: HandlerOptions = reg.options;
      this.handlers.set(reg.topic, {
        reg,
        backoff: { ...DEFAULT_BACKOFF, ...opts.backoff, ...o.backoff },
        reader: o.readerSchema === undefined ? undefined : opts.serde.parse(o.readerSchema),
        eventTime: o.eventTime
          ? (v, r) => o.eventTime!(v) ?? Number(r.timestamp)
          : defaultEventTime,
        maxBatchRecords: Math.max(1, o.maxBatchRecords ?? 5_000),
      });
    }
  }

  get topics(): string[] {
    return [...this.handlers.keys()];
  }

  /** The kafkajs consumer (after start), for events and admin-ish needs. */
  get kafkaConsumer(): Consumer | undefined {
    return this.consumer;
  }

  async start(): Promise<void> {
    const { kafka } = this.opts;
    if (this.opts.ensureDlqTopics ?? true) await this.ensureDlqTopics();
    // The DLQ's producer rides out a short broker outage itself and takes a new producer id when
    // a restarted broker refuses its sequence numbers (KafkaProducer); toDlq retries past that.
    this.producer = new KafkaProducer({
      kafka,
      serde: this.opts.serde,
      lingerMs: 0,
      outageBudgetMs: 30_000,
      metrics: { ...this.metrics, produced: () => undefined },
      logger: this.logger,
    });
    await this.producer.connect();
    const consumer = kafka.consumer({
      groupId: this.opts.groupId,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: 2 * 1024 * 1024,
      maxBytes: 16 * 1024 * 1024,
      maxWaitTimeInMs: 500,
      ...this.opts.consumerConfig,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (e) => {
      const { error, restart } = e.payload;
      this.logger.error(`kafka consumer crashed (restart=${restart}): ${errorMessage(error)}`);
      if (!restart && !this.stopping) void this.fatal(error);
    });
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.metrics.kafkaConnected?.(true);
      this.logger.log(
        `joined group ${e.payload.groupId} as ${e.payload.memberId}: ${JSON.stringify(e.payload.memberAssignment)}`,
      );
    });
    consumer.on(consumer.events.DISCONNECT, () => this.metrics.kafkaConnected?.(false));
    for (const [event, listener] of this.opts.listeners ?? [])
      consumer.on(event as never, listener);
    await consumer.connect();
    await consumer.subscribe({
      topics: this.topics,
      fromBeginning: this.opts.fromBeginning ?? true,
    });
    await consumer.run({
      // kafkajs commits only resolved offsets; we resolve only what the handler is done with.
      autoCommit: true,
      autoCommitInterval: this.opts.commitIntervalMs ?? 5_000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** Finishes the batch in flight, commits what was handled, leaves the group, disconnects. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.draining = true;
    const expire = setTimeout(() => (this.drainExpired = true), this.opts.drainTimeoutMs ?? 30_000);
    expire.unref();
    for (const t of this.resumeTimers) clearTimeout(t);
    this.resumeTimers.clear();
    try {
      // kafkajs waits for the running eachBatch, commits resolved offsets and leaves the group.
      await this.consumer?.disconnect();
      await this.producer?.disconnect();
    } finally {
      clearTimeout(expire);
      this.metrics.kafkaConnected?.(false);
    }
  }

  private async ensureDlqTopics(): Promise<void> {
    // a contract topic's DLQ gets the contract's partition count; another topic's, the broker's default
    await ensureTopics(
      this.opts.kafka,
      this.topics.map((topic) => {
        const stream = streamForTopic(topic);
        return {
          topic: dlqTopicFor(topic),
          ...(stream ? { partitions: STREAM_DEFINITIONS[stream].partitions } : {}),
        };
      }),
    );
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const h = this.handlers.get(batch.topic);
    if (!h || batch.messages.length === 0) return;
    const scope: BatchScope = {
      topic: batch.topic,
      partition: batch.partition,
      heartbeat: () => payload.heartbeat(),
      // A rebalance took the partition (isStale), or we are stopping and the drain time is up,
      // or the consumer is stopping for a reason other than our drain.
      shouldStop: () =>
        this.failed ||
        this.drainExpired ||
        payload.isStale() ||
        (!payload.isRunning() && !this.draining),
    };
    this.metrics.batchSize(batch.topic, batch.messages.length);
    const done =
      h.reg.options.mode === 'batch'
        ? await this.runBatchMode(h, payload, scope)
        : await this.runRecordMode(h, payload, scope);
    if (done) this.metrics.lag(batch.topic, batch.partition, Number(batch.offsetLag()));
  }

  /** Returns whether the whole batch was handled. */
  private async runRecordMode(
    h: CompiledHandler,
    payload: EachBatchPayload,
    scope: BatchScope,
  ): Promise<boolean> {
    const { batch } = payload;
    const handle = h.reg.handle as (r: KafkaRecord, c: HandlerContext) => unknown;
    let lastBeat = Date.now();
    let consumed = 0;
    try {
      for (const message of batch.messages) {
        if (scope.shouldStop()) return false;
        let decoded = this.decode(h, scope, message);
        if (decoded instanceof Promise) decoded = await decoded;
        if ('failure' in decoded) {
          if (!(await this.toDlq(scope, [decoded.failure], payload))) return false;
        } else if (decoded.record) {
          const record = decoded.record;
          const started = performance.now();
          const outcome = await this.attempt(h, scope, (attempt) =>
            handle(record, {
              topic: scope.topic,
              partition: scope.partition,
              attempt,
              heartbeat: scope.heartbeat,
            }),
          );
          this.metrics.handlerDuration(scope.topic, (performance.now() - started) / 1_000);
          switch (outcome.kind) {
            case 'ok':
              this.metrics.e2eLatency(
                scope.topic,
                (Date.now() - h.eventTime(record.value, record)) / 1_000,
              );
              break;
            case 'dlq':
              if (
                !(await this.toDlq(
                  scope,
                  [
                    {
                      message,
                      error: outcome.error,
                      schemaId: record.schemaId,
                      attempt: outcome.attempt,
                    },
                  ],
                  payload,
                ))
              )
                return false;
              break;
            case 'backpressure':
              this.pausePartition(payload, scope, outcome.resumeAfterMs);
              return false;
            case 'fatal':
              await this.fatal(outcome.error, payload);
              return false;
            case 'abandoned':
              return false;
          }
        } else {
          return false; // abandoned while fetching a schema
        }
        payload.resolveOffset(message.offset);
        consumed++;
        if (Date.now() - lastBeat >= HEARTBEAT_EVERY_MS) {
          lastBeat = Date.now();
          await scope.heartbeat();
          await payload.commitOffsetsIfNecessary();
        }
      }
      return true;
    } finally {
      this.metrics.consumed(scope.topic, consumed, scope.partition);
    }
  }

  private async runBatchMode(
    h: CompiledHandler,
    payload: EachBatchPayload,
    scope: BatchScope,
  ): Promise<boolean> {
    const { batch } = payload;
    const handle = h.reg.handle as (r: KafkaRecord[], c: BatchHandlerContext) => unknown;
    const messages = batch.messages;
    for (let from = 0; from < messages.length; from += h.maxBatchRecords) {
      if (scope.shouldStop()) return false;
      const chunk = messages.slice(from, from + h.maxBatchRecords);
      const good: KafkaRecord[] = [];
      const bad: Failure[] = [];
      for (const message of chunk) {
        let decoded = this.decode(h, scope, message);
        if (decoded instanceof Promise) decoded = await decoded;
        if ('failure' in decoded) bad.push(decoded.failure);
        else if (decoded.record) good.push(decoded.record);
        else return false;
      }
      if (bad.length && !(await this.toDlq(scope, bad, payload))) return false;

      let rejected: Failure[] = [];
      /** the records the handler rejected (ctx.reject), left out of the latency metric */
      let rejectedRecords = new Set<KafkaRecord>();
      let pauseAfterMs: number | undefined;
      if (good.length) {
        const started = performance.now();
        const outcome = await this.attempt(h, scope, (attempt) => {
          rejected = [];
          rejectedRecords = new Set();
          pauseAfterMs = undefined;
          return handle(good, {
            topic: scope.topic,
            partition: scope.partition,
            attempt,
            heartbeat: scope.heartbeat,
            reject: (record, error) => {
              rejectedRecords.add(record);
              rejected.push({
                message: messageOf(record),
                error,
                schemaId: record.schemaId,
                attempt,
              });
            },
            backpressure: (ms = 1_000) => {
              pauseAfterMs = ms;
            },
          });
        });
        this.metrics.handlerDuration(scope.topic, (performance.now() - started) / 1_000);
        switch (outcome.kind) {
          case 'ok':
            break;
          case 'dlq':
            rejected = good.map((r) => ({
              message: messageOf(r),
              error: outcome.error,
              schemaId: r.schemaId,
              attempt: outcome.attempt,
            }));
            rejectedRecords = new Set(good);
            break;
          case 'backpressure': {
            // Nothing of this chunk was handled: keep the undecodable prefix done, fetch the rest again later.
            const firstGood = good[0].offset;
            const before = chunk.filter((m) => BigInt(m.offset) < BigInt(firstGood));
            if (before.length) payload.resolveOffset(before[before.length - 1].offset);
            this.pausePartition(payload, scope, outcome.resumeAfterMs);
            return false;
          }
          case 'fatal':
            await this.fatal(outcome.error, payload);
            return false;
          case 'abandoned':
            return false;
        }
        if (rejected.length && !(await this.toDlq(scope, rejected, payload))) return false;
        // as in record mode, only the records handled (not the ones sent to the DLQ)
        this.observeLatencies(
          h,
          scope.topic,
          rejectedRecords.size ? good.filter((r) => !rejectedRecords.has(r)) : good,
        );
      }
      payload.resolveOffset(chunk[chunk.length - 1].offset);
      this.metrics.consumed(scope.topic, chunk.length, scope.partition);
      await scope.heartbeat();
      await payload.commitOffsetsIfNecessary();
      if (pauseAfterMs !== undefined) {
        this.pausePartition(payload, scope, pauseAfterMs);
        return from + h.maxBatchRecords >= messages.length;
      }
    }
    return true;
  }

  /** Each handled record's end-to-end latency, at once when the metrics take a batch. */
  private observeLatencies(h: CompiledHandler, topic: string, records: KafkaRecord[]): void {
    if (records.length === 0) return;
    const now = Date.now();
    if (!this.metrics.e2eLatencies) {
      for (const r of records)
        this.metrics.e2eLatency(topic, (now - h.eventTime(r.value, r)) / 1_000);
      return;
    }
    const seconds = new Float64Array(records.length);
    for (let i = 0; i < records.length; i++)
      seconds[i] = (now - h.eventTime(records[i].value, records[i])) / 1_000;
    this.metrics.e2eLatencies(topic, seconds);
  }

  /**
   * Decodes one message: a record, a failure for the DLQ, or `{record: undefined}` when the batch
   * was abandoned. Synchronous (no promise) once the writer schema is cached. A record over the
   * size limit is refused before it is decoded; a decoded one with a field over the length limit
   * after.
   */
  private decode(
    h: CompiledHandler,
    scope: BatchScope,
    message: KafkaMessage,
  ): Decoded | Promise<Decoded> {
    const oversize = oversizeError(message, this.limits);
    if (oversize) {
      return { failure: { message, error: oversize, schemaId: oversize.schemaId, attempt: 1 } };
    }
    try {
      const d = this.opts.serde.decodeSync(message.value, h.reader);
      if (d) return this.checked(scope, message, d.value, d.schemaId);
    } catch (error) {
      return { failure: { message, error, schemaId: peekSchemaId(message.value), attempt: 1 } };
    }
    return this.decodeAfterFetch(h, scope, message);
  }

  /** The decoded record, or a failure when one of its fields is over the length limit. */
  private checked(
    scope: BatchScope,
    message: KafkaMessage,
    value: unknown,
    schemaId: number,
  ): Decoded {
    // the value's bytes bound its strings' lengths (the key and headers are not decoded)
    const long = longFieldError(value, message.value?.length ?? 0, schemaId, this.limits);
    if (long) return { failure: { message, error: long, schemaId, attempt: 1 } };
    return { record: toRecord(scope, message, value, schemaId) };
  }

  /** Writer schema not cached yet: one registry call, retried while the registry is unreachable. */
  private async decodeAfterFetch(
    h: CompiledHandler,
    scope: BatchScope,
    message: KafkaMessage,
  ): Promise<Decoded> {
    const schemaId = peekSchemaId(message.value)!;
    let loaded = false;
    const outcome = await this.attempt(h, scope, async () => {
      await this.opts.serde.typeFor(schemaId);
      loaded = true;
    });
    if (outcome.kind === 'dlq')
      return { failure: { message, error: outcome.error, schemaId, attempt: outcome.attempt } };
    if (outcome.kind === 'fatal') {
      await this.fatal(outcome.error);
      return { record: undefined };
    }
    if (!loaded) return { record: undefined };
    try {
      const d = this.opts.serde.decodeSync(message.value, h.reader)!;
      return this.checked(scope, message, d.value, d.schemaId);
    } catch (error) {
      return { failure: { message, error, schemaId, attempt: 1 } };
    }
  }

  /** Calls `fn`, retrying transient failures with capped exponential backoff (heartbeating while waiting). */
  private async attempt(
    h: CompiledHandler,
    scope: BatchScope,
    fn: (attempt: number) => unknown,
    policy: UnknownErrorPolicy = h.reg.options.unknownErrors ?? 'dlq',
  ): Promise<Outcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        const r = fn(attempt);
        if (isThenable(r)) await r;
        return { kind: 'ok' };
      } catch (error) {
        const disposition = classifyError(error, policy);
        switch (disposition) {
          case 'dlq':
            return { kind: 'dlq', error, attempt };
          case 'backpressure':
            return {
              kind: 'backpressure',
              resumeAfterMs: (error as BackpressureSignal).resumeAfterMs,
            };
          case 'fatal':
            return { kind: 'fatal', error };
          case 'retry': {
            if (!shouldRetry(attempt, h.backoff)) {
              // A known transient failure that outlasts its retries means the world is broken: crash
              // and let the supervisor restart. An unclassified error retried by policy goes to the DLQ.
              const known = classifyError(error, 'fatal') === 'retry';
              return known
                ? { kind: 'fatal', error: new RetriesExhaustedError(attempt, error) }
                : { kind: 'dlq', error, attempt };
            }
            this.metrics.retry(scope.topic, errorCode(error));
            const delay = backoffDelay(attempt, h.backoff);
            this.logger.warn(
              `${scope.topic}[${scope.partition}] attempt ${attempt} failed (${errorCode(error)}: ${errorMessage(error)}); retrying in ${delay} ms`,
            );
            if (!(await this.wait(delay, scope))) return { kind: 'abandoned' };
          }
        }
      }
    }
  }

  /** Waits, heartbeating; false when the batch should be abandoned meanwhile. */
  private async wait(ms: number, scope: BatchScope): Promise<boolean> {
    const end = Date.now() + ms;
    for (;;) {
      if (scope.shouldStop()) return false;
      const left = end - Date.now();
      if (left <= 0) return true;
      await sleep(Math.min(left, HEARTBEAT_EVERY_MS));
      await scope.heartbeat();
    }
  }

  /**
   * Writes failures to `<topic>.dlq` with their original bytes and context headers; false on a
   * fatal failure. Sent in chunks the DLQ topic takes; a record over the consumer's size limit,
   * or one the DLQ topic refuses as too large, goes without its value (`dlq.value.omitted`); one
   * it still refuses (an oversize key or headers) goes as a stub of only the DLQ headers and the
   * sizes of its key, value and headers (`dlqStub`), which is not fatal.
   */
  private async toDlq(
    scope: BatchScope,
    failures: Failure[],
    payload: EachBatchPayload,
  ): Promise<boolean> {
    const topic = dlqTopicFor(scope.topic);
    /** the last resort for each message: no key, value or original headers */
    const stubs = new Map<Message, { stub: Message; failure: Failure }>();
    const messages = failures.map((f) => {
      const dlqHeaders = buildDlqHeaders(
        {
          topic: scope.topic,
          partition: scope.partition,
          offset: f.message.offset,
          timestamp: f.message.timestamp,
          error: f.error,
          schemaId: f.schemaId,
          service: this.opts.service,
          attempt: f.attempt,
        },
        undefined,
      );
      // the original headers, the DLQ context winning on a clash (buildDlqHeaders' order)
      let m: Message = {
        key: f.message.key,
        value: f.message.value,
        headers: { ...(f.message.headers ?? {}), ...dlqHeaders },
      };
      if (errorCode(f.error) === 'TOO_LARGE') m = withoutValue(m, f.message.value?.length ?? 0);
      stubs.set(m, { stub: dlqStub(dlqHeaders, f.message), failure: f });
      return m;
    });
    const send = (ms: Message[]) => this.producer!.sendRaw(topic, ms);
    /** failures written as stubs (this attempt) */
    let stubbed: Failure[] = [];
    /** Sends the first of `tries` the DLQ topic takes; the last one's refusal is thrown. */
    const sendFirstTaken = async (tries: Message[]) => {
      for (let i = 0; ; i++) {
        try {
          await send([tries[i]]);
          return tries[i];
        } catch (e) {
          if (!isTooLargeForBroker(e) || i === tries.length - 1) throw e;
        }
      }
    };
    const writeAll = async () => {
      stubbed = [];
      for (const chunk of chunkBySize(messages)) {
        try {
          await send(chunk);
        } catch (error) {
          if (!isTooLargeForBroker(error)) throw error;
          // one by one; a record the topic still refuses goes without its value, then as a stub
          for (const m of chunk) {
            const { stub, failure } = stubs.get(m)!;
            const tries = [
              ...(chunk.length > 1 ? [m] : []),
              ...(m.value !== null && m.value !== undefined ? [withoutValue(m)] : []),
              stub,
            ];
            if ((await sendFirstTaken(tries)) === stub) stubbed.push(failure);
          }
        }
      }
    };
    // A broker that is restarting is waited for like any transient failure (the handler's
    // backoff); skipping the records would lose them, so what cannot be written is fatal (a
    // record too large for the DLQ topic is not: its stub is written).
    // (A retry writes the chunks again: the DLQ is at least once, like every topic here.)
    const h = this.handlers.get(scope.topic)!;
    const outcome = await this.attempt(h, scope, writeAll, 'fatal');
    if (outcome.kind === 'fatal' || outcome.kind === 'dlq') {
      const e = outcome.error;
      await this.fatal(
        e instanceof RetriesExhaustedError ? e : new RetriesExhaustedError(1, e),
        payload,
      );
      return false;
    }
    if (outcome.kind !== 'ok') return false; // abandoned (a rebalance, the drain time is up)
    for (const f of failures) {
      this.metrics.dlq(scope.topic, errorCode(f.error));
      const msg = errorMessage(f.error);
      this.logger.warn(
        `${scope.topic}[${scope.partition}]@${f.message.offset} -> ${topic}: ${errorCode(f.error)}: ${
          msg.length > MAX_ERROR_MESSAGE_LENGTH ? `${msg.slice(0, MAX_ERROR_MESSAGE_LENGTH)}…` : msg
        }`,
      );
    }
    for (const f of stubbed) {
      const { key, value, headers } = f.message;
      this.logger.warn(
        `${scope.topic}[${scope.partition}]@${f.message.offset} -> ${topic}: too large for the DLQ topic even without its value; written as a stub without its key (${key?.length ?? 0} bytes), value (${value?.length ?? 0} bytes) and headers (${headersBytes(headers)} bytes): the record stays at ${scope.topic}[${scope.partition}]@${f.message.offset}`,
      );
    }
    return true;
  }

  private pausePartition(payload: EachBatchPayload, scope: BatchScope, ms: number): void {
    const resume = payload.pause();
    this.logger.warn(`${scope.topic}[${scope.partition}] paused for ${ms} ms (backpressure)`);
    const t = setTimeout(() => {
      this.resumeTimers.delete(t);
      resume();
    }, ms);
    this.resumeTimers.add(t);
  }

  private async fatal(error: unknown, payload?: EachBatchPayload): Promise<void> {
    if (this.failed) return;
    this.failed = true;
    this.logger.error(`unrecoverable consumer failure, exiting: ${errorMessage(error)}`, error);
    if (payload) {
      // What was handled stays handled: commit it before going down.
      await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets()).catch(() => undefined);
    }
    if (this.opts.onFatal) {
      await this.opts.onFatal(error);
      setImmediate(() => void this.stop().catch(() => undefined));
      return;
    }
    process.exit(1);
  }
}

function toRecord(
  scope: BatchScope,
  message: KafkaMessage,
  value: unknown,
  schemaId: number,
): KafkaRecord {
  return {
    topic: scope.topic,
    partition: scope.partition,
    offset: message.offset,
    key: message.key,
    value,
    headers: message.headers ?? {},
    timestamp: message.timestamp,
    schemaId,
    raw: message.value as Buffer,
  };
}

/** The original message behind a decoded record (for the DLQ). */
function messageOf(r: KafkaRecord): KafkaMessage {
  return {
    key: r.key,
    value: r.raw,
    headers: r.headers,
    timestamp: r.timestamp,
    offset: r.offset,
    attributes: 0,
  };
}
