import {
  CompressionTypes,
  Partitioners,
  type IHeaders,
  type Kafka,
  type Message,
  type Producer,
  type ProducerConfig,
} from 'kafkajs';
import { isTooLargeForBroker } from '../dlq/dlq-batches';
import { brokerUnavailable, errorMessage, KafkaLibError } from '../errors';
import { NOOP_METRICS, type KafkaMetrics } from '../metrics';
import { backoffDelay } from '../retry/backoff';
import { valueSubject, type AvroSchema, type AvroSerde } from '../serde/avro-serde';

export interface ProducerOptions {
  kafka: Kafka;
  serde: AvroSerde;
  /** Wait this long for more records before sending a non-full batch. Default 5 ms. */
  lingerMs?: number;
  /** Send at once when this many records are waiting. Default 10,000. */
  maxBatchRecords?: number;
  /** Send at once when this many bytes are waiting (keep below the broker's message.max.bytes). Default 900 KiB. */
  maxBatchBytes?: number;
  /** `produce()` waits while more than this many records are unsent (bounded memory). Default 100,000. */
  maxBufferedRecords?: number;
  compression?: CompressionTypes;
  producerConfig?: Partial<ProducerConfig>;
  metrics?: KafkaMetrics;
  /**
   * How long a batch is sent again while the broker is unreachable (restarting, a leader moving)
   * before its records fail; meanwhile send() and produce() wait (produce() once the buffer is
   * full). Default 300,000 ms. A refusal (authorization, a record too large) fails at once.
   */
  outageBudgetMs?: number;
  /** where a broker outage is reported (default console) */
  logger?: Pick<Console, 'warn'>;
}

export interface OutgoingRecord<T = unknown> {
  key?: string | Buffer | null;
  value: T;
  headers?: IHeaders;
  /** Record timestamp, ms since epoch. Default: now. */
  timestamp?: number;
  partition?: number;
}

interface Ticket {
  remaining: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

interface Pending {
  topic: string;
  message: Message;
  size: number;
  ticket: Ticket;
}

/** A topic bound to its value schema: the typed way to produce. */
export class TopicProducer<T> {
  constructor(
    private readonly producer: KafkaProducer,
    readonly topic: string,
    readonly schemaId: number,
  ) {}

  /** Resolves once every record is acknowledged by all in-sync replicas. */
  send(records: OutgoingRecord<T> | OutgoingRecord<T>[]): Promise<void> {
    return this.producer.send(
      this.topic,
      this.schemaId,
      Array.isArray(records) ? records : [records],
    );
  }

  /** Buffers the record; resolves when it is queued (waits only when the buffer is full). */
  produce(record: OutgoingRecord<T>): Promise<void> {
    return this.producer.produce(this.topic, this.schemaId, record);
  }
}

/**
 * An idempotent, batching Avro producer. Records from concurrent callers are gathered and sent
 * together once `maxBatchRecords`/`maxBatchBytes` is reached or `lingerMs` has passed; one request
 * is in flight at a time, so the next batch grows while the broker answers (kafkajs' idempotent
 * producer needs ordered requests per partition).
 */
export class KafkaProducer {
  private producer: Producer;
  private readonly metrics: KafkaMetrics;
  private readonly lingerMs: number;
  private readonly maxBatchRecords: number;
  private readonly maxBatchBytes: number;
  private readonly maxBuffered: number;
  private readonly outageBudgetMs: number;
  private queue: Pending[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private stickyError: Error | undefined;
  private spaceWaiters: Array<() => void> = [];
  private connected = false;

  constructor(private readonly opts: ProducerOptions) {
    this.metrics = opts.metrics ?? NOOP_METRICS;
    this.lingerMs = opts.lingerMs ?? 5;
    this.maxBatchRecords = opts.maxBatchRecords ?? 10_000;
    this.maxBatchBytes = opts.maxBatchBytes ?? 900 * 1024;
    this.maxBuffered = opts.maxBufferedRecords ?? 100_000;
    this.outageBudgetMs = opts.outageBudgetMs ?? 300_000;
    this.producer = this.newProducer();
  }

  private newProducer(): Producer {
    return this.opts.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      ...this.opts.producerConfig,
      idempotent: true,
      maxInFlightRequests: 1,
    });
  }

  /**
   * A new idempotent producer (a new producer id) in place of one whose sequence numbers the broker
   * no longer accepts, as Java's producer bumps its epoch (KIP-360). The batch is then sent again:
   * if the broker had written it, it is there twice (every consumer of the platform drops
   * duplicates by event id); nothing is lost.
   */
  private async renewProducer(): Promise<void> {
    const old = this.producer;
    this.producer = this.newProducer();
    await old.disconnect().catch(() => undefined);
  }

  get serde(): AvroSerde {
    return this.opts.serde;
  }

  /** The kafkajs producer underneath. */
  unwrap(): Producer {
    return this.producer;
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
    this.metrics.kafkaConnected?.(true);
  }

  /**
   * Binds `topic` to a value schema: registers `schema` under `<topic>-value` (once), or, without a
   * schema, uses the subject's latest registered version.
   */
  async topic<T>(
    topic: string,
    opts: { schema?: AvroSchema; subject?: string } = {},
  ): Promise<TopicProducer<T>> {
    const subject = opts.subject ?? valueSubject(topic);
    const id =
      opts.schema === undefined
        ? await this.serde.latestId(subject)
        : await this.serde.register(subject, opts.schema);
    return new TopicProducer<T>(this, topic, id);
  }

  /** Encodes and sends; resolves once every record is acknowledged. */
  send(topic: string, schemaId: number, records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const values = this.serde.encodeAll(schemaId, records, (r) => r.value);
    const messages = new Array<Message>(records.length);
    for (let i = 0; i < records.length; i++) messages[i] = toMessage(records[i], values[i]);
    return new Promise<void>((resolve, reject) => {
      this.enqueue(topic, messages, { remaining: messages.length, resolve, reject });
    });
  }

  /** Sends already-encoded bytes (DLQ replays, tools); resolves once acknowledged. */
  sendRaw(topic: string, messages: Message[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.enqueue(topic, messages, { remaining: messages.length, resolve, reject });
    });
  }

  /**
   * Fire-and-forget with bounded memory: resolves once the record is queued. A delivery failure is
   * thrown by the next produce() or flush().
   */
  async produce(topic: string, schemaId: number, record: OutgoingRecord): Promise<void> {
    this.throwIfFailed();
    while (this.queue.length >= this.maxBuffered) {
      await new Promise<void>((r) => this.spaceWaiters.push(r));
      this.throwIfFailed();
    }
    this.enqueue(topic, [toMessage(record, this.serde.encode(schemaId, record.value))], {
      remaining: 1,
      resolve: () => undefined,
      reject: (e) => (this.stickyError ??= e instanceof Error ? e : new Error(String(e))),
    });
  }

  private throwIfFailed(): void {
    if (this.stickyError) throw this.stickyError;
  }

  /** Sends everything queued and waits for the acknowledgements. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.queue.length > 0 || this.sending) {
      if (!this.sending) this.sending = this.drain();
      await this.sending;
    }
    if (this.stickyError) {
      const e = this.stickyError;
      this.stickyError = undefined;
      throw e;
    }
  }

  async disconnect(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.producer.disconnect();
      this.connected = false;
      this.metrics.kafkaConnected?.(false);
    }
  }

  private enqueue(topic: string, messages: Message[], ticket: Ticket): void {
    for (const message of messages) {
      const size = sizeOf(message);
      this.queue.push({ topic, message, size, ticket });
      this.queuedBytes += size;
    }
    if (this.sending) return; // the running drain loop picks these up
    if (this.queue.length >= this.maxBatchRecords || this.queuedBytes >= this.maxBatchBytes) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.sending = this.drain();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (!this.sending && this.queue.length) this.sending = this.drain();
      }, this.lingerMs);
    }
  }

  /** Sends batches until the queue is empty; one request in flight at a time. */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        let n = 0;
        let bytes = 0;
        while (
          n < this.queue.length &&
          n < this.maxBatchRecords &&
          (n === 0 || bytes + this.queue[n].size <= this.maxBatchBytes)
        ) {
          bytes += this.queue[n].size;
          n++;
        }
        const batch = this.queue.splice(0, n);
        this.queuedBytes -= bytes;
        this.wakeSpaceWaiters();
        const byTopic = new Map<string, Message[]>();
        for (const p of batch) {
          let list = byTopic.get(p.topic);
          if (!list) byTopic.set(p.topic, (list = []));
          list.push(p.message);
        }
        try {
          await this.sendBatchRiding(byTopic);
        } catch (e) {
          const error = isTooLargeForBroker(e) ? tooLargeError(batch, e) : e;
          const failed = new Set<Ticket>();
          for (const p of batch) failed.add(p.ticket);
          for (const t of failed) {
            t.remaining = -1;
            t.reject(error);
          }
          continue;
        }
        for (const [topic, msgs] of byTopic) this.metrics.produced(topic, msgs.length);
        for (const p of batch) {
          if (p.ticket.remaining > 0 && --p.ticket.remaining === 0) p.ticket.resolve();
        }
      }
    } finally {
      this.sending = undefined;
      this.wakeSpaceWaiters();
    }
  }

  /**
   * One batch, sent again while the broker is unreachable, for at most outageBudgetMs (kafkajs
   * itself gives up after a few seconds, shorter than a broker restart). The idempotent producer
   * keeps the batch's sequence numbers across attempts, so a batch the broker had written before
   * the connection broke is not written twice.
   */
  private async sendBatchRiding(byTopic: Map<string, Message[]>): Promise<void> {
    const first = Date.now();
    let renewed = 0;
    let connect = false;
    for (let attempt = 1; ; attempt++) {
      try {
        if (connect) {
          await this.producer.connect();
          connect = false;
        }
        await this.producer.sendBatch({
          acks: -1,
          compression: this.opts.compression ?? CompressionTypes.None,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
        if (attempt > 1) {
          const s = ((Date.now() - first) / 1000).toFixed(1);
          (this.opts.logger ?? console).warn(
            `kafka producer: the broker is back; sent after ${s} s`,
          );
        }
        return;
      } catch (e) {
        if (producerStateLost(e) && renewed < 3) {
          renewed++;
          (this.opts.logger ?? console).warn(
            `kafka producer: the broker refused the producer's sequence (${errorMessage(e)}); ` +
              'sending again with a new producer id',
          );
          await this.renewProducer();
          connect = true;
          continue;
        }
        const delay = backoffDelay(attempt, {
          initialMs: 250,
          maxMs: 5_000,
          multiplier: 2,
          jitter: 0.2,
          maxAttempts: Infinity,
        });
        if (!brokerUnavailable(e) || Date.now() - first + delay > this.outageBudgetMs) throw e;
        for (const topic of byTopic.keys()) this.metrics.retry(topic, 'BROKER_UNAVAILABLE');
        if (attempt === 1 || attempt % 10 === 0) {
          (this.opts.logger ?? console).warn(
            `kafka producer: the broker is unreachable (${errorMessage(e)}); sending again ` +
              `for up to ${this.outageBudgetMs / 1000} s`,
          );
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private wakeSpaceWaiters(): void {
    if (this.queue.length >= this.maxBuffered) return;
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of waiters) w();
  }
}

/**
 * The broker no longer takes this producer's sequence numbers: it lost or fenced the producer's
 * state (after a broker restart: OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID), which kafkajs
 * cannot recover from by itself.
 */
function producerStateLost(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e: unknown = err; typeof e === 'object' && e !== null && !seen.has(e);) {
    seen.add(e);
    const type = (e as { type?: unknown }).type;
    if (
      type === 'OUT_OF_ORDER_SEQUENCE_NUMBER' ||
      type === 'UNKNOWN_PRODUCER_ID' ||
      type === 'INVALID_PRODUCER_EPOCH'
    )
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function toMessage(r: OutgoingRecord, value: Buffer): Message {
  const m: Message = { key: r.key ?? null, value };
  if (r.headers) m.headers = r.headers;
  if (r.timestamp !== undefined) m.timestamp = String(r.timestamp);
  if (r.partition !== undefined) m.partition = r.partition;
  return m;
}

function sizeOf(m: Message): number {
  const v = m.value;
  const k = m.key;
  return 70 + (v ? (typeof v === 'string' ? v.length : v.length) : 0) + (k ? k.length : 0);
}

/**
 * The broker refused the request as too large: say which topic, how big, and what to change
 * (a record larger than maxBatchBytes is always sent alone, so it is named on its own).
 */
function tooLargeError(batch: Pending[], cause: unknown): KafkaLibError {
  const topics = [...new Set(batch.map((p) => p.topic))].join(', ');
  const what =
    batch.length === 1
      ? `a record of ${batch[0].size - 70} bytes (key + value)`
      : `a batch of ${batch.length} records (${batch.reduce((n, p) => n + p.size, 0)} bytes)`;
  return new KafkaLibError(
    'RECORD_TOO_LARGE',
    `${topics} refused ${what}: over the topic's max.message.bytes (the broker's message.max.bytes, 1,048,588 by default); send smaller records or raise the topic's limit`,
    { cause },
  );
}
