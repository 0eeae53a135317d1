import { randomBytes } from 'node:crypto';
import type { Batch, Kafka, KafkaMessage } from 'kafkajs';
import { listTopics, unknownTopicError } from '../known-topics';
import type { PartitionOffsets } from '../topics/report';
import type { RecordDecoder } from './decoder';
import { renderRecord, toJsonLine, type RawRecord } from './render';
import { newestByTime, readFrom } from './select';

export interface TailOptions {
  topic: string;
  /** the newest records to print first, over all partitions */
  count: number;
  /** then keep printing new records until `signal` aborts */
  follow: boolean;
  /**
   * give up waiting for the history after this long without a record (default 10 s): a partition
   * whose newest offsets hold no record (a compacted-away tombstone, a transaction marker) never
   * delivers its last offset
   */
  idleTimeoutMs?: number;
}

export interface TailIo {
  /** one JSON line, newline included */
  write(line: string): void;
  warn(message: string): void;
  /** aborting it ends --follow (Ctrl-C) */
  signal?: AbortSignal;
}

export interface TailSummary {
  printed: number;
}

/**
 * Prints the newest `count` records of a topic, oldest first by timestamp, then (follow) every new
 * one as it arrives. Each partition is read from max(start, end - count) to the end offset it had
 * when the command began, by a consumer of a group of its own that never commits (the topic's
 * groups and their lag stay as they were).
 */
export async function tailTopic(
  kafka: Kafka,
  brokers: readonly string[],
  decoder: RecordDecoder,
  opts: TailOptions,
  io: TailIo,
): Promise<TailSummary> {
  const partitions = await partitionOffsets(kafka, brokers, opts.topic);
  let printed = 0;
  const print = async (r: RawRecord): Promise<void> => {
    const decoding = r.value === null ? null : await decoder.decode(r.value);
    io.write(`${toJsonLine(renderRecord(r, decoding))}\n`);
    printed += 1;
  };
  const reader = new PartitionsReader(opts, partitions, print);
  if (reader.historyComplete() && !opts.follow) return { printed };

  const consumer = kafka.consumer({
    groupId: `citypulse-cli-tail-${randomBytes(6).toString('hex')}`,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 500,
    // a crash ends the command with its error instead of a silent restart
    retry: { retries: 5, restartOnFailure: () => Promise.resolve(false) },
  });
  consumer.on(consumer.events.CRASH, (e) => reader.fail(e.payload.error));
  const onAbort = (): void => reader.stop();
  io.signal?.addEventListener('abort', onAbort, { once: true });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [opts.topic], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => reader.take(batch),
    });
    for (const p of partitions) {
      consumer.seek({
        topic: opts.topic,
        partition: p.partition,
        offset: String(reader.startOf(p.partition)),
      });
    }
    const complete = await reader.history(opts.idleTimeoutMs ?? 10_000);
    if (!complete) io.warn(reader.describeShortfall());
    for (const r of newestByTime(reader.collected(), opts.count)) await print(r);
    if (opts.follow && !io.signal?.aborted) await reader.goLive();
    return { printed };
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
    reader.stop();
    await consumer.disconnect();
  }
}

async function partitionOffsets(
  kafka: Kafka,
  brokers: readonly string[],
  topic: string,
): Promise<PartitionOffsets[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const known = await listTopics(admin, { internal: true });
    if (!known.includes(topic)) {
      throw unknownTopicError(
        topic,
        brokers,
        known.filter((t) => !t.startsWith('__')),
      );
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.map((p) => ({
      partition: p.partition,
      start: Number(p.low),
      end: Number(p.high),
    }));
  } finally {
    await admin.disconnect();
  }
}

/**
 * What the consumer delivers, sorted out: records below a partition's end offset are the history
 * (each offset once, whatever kafkajs fetches twice around the seek), records at or past it are new
 * ones, held back until the history is printed and printed as they come after that.
 */
class PartitionsReader {
  private readonly end = new Map<number, number>();
  private readonly nextHistory: Map<number, number>;
  private readonly nextLive = new Map<number, number>();
  private readonly historyRecords: RawRecord[] = [];
  private readonly pending: RawRecord[] = [];
  private live = false;
  private lastProgress = Date.now();
  private readonly settled: Promise<void>;
  private settle!: (err?: Error) => void;
  private historyDone: () => void = () => undefined;

  constructor(
    private readonly opts: TailOptions,
    partitions: readonly PartitionOffsets[],
    private readonly print: (r: RawRecord) => Promise<void>,
  ) {
    this.nextHistory = readFrom(partitions, opts.count);
    for (const p of partitions) {
      this.end.set(p.partition, p.end);
      this.nextLive.set(p.partition, p.end);
    }
    this.settled = new Promise<void>((resolve, reject) => {
      this.settle = (err) => (err === undefined ? resolve() : reject(err));
    });
    // stop() before anyone awaits must not be an unhandled rejection
    this.settled.catch(() => undefined);
  }

  startOf(partition: number): number {
    return this.nextHistory.get(partition) ?? 0;
  }

  historyComplete(): boolean {
    return [...this.end].every(([p, end]) => (this.nextHistory.get(p) ?? end) >= end);
  }

  collected(): RawRecord[] {
    return this.historyRecords;
  }

  /** Resolves true once every partition delivered up to its end offset, false after `idleMs` without a record. */
  async history(idleMs: number): Promise<boolean> {
    if (this.historyComplete()) return true;
    this.lastProgress = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        new Promise<boolean>((resolve) => {
          this.historyDone = () => resolve(true);
        }),
        new Promise<boolean>((resolve) => {
          timer = setInterval(() => {
            if (Date.now() - this.lastProgress > idleMs) resolve(false);
          }, 200);
        }),
        this.settled.then(() => this.historyComplete()),
      ]);
    } finally {
      clearInterval(timer);
    }
  }

  describeShortfall(): string {
    const short = [...this.end]
      .filter(([p, end]) => (this.nextHistory.get(p) ?? end) < end)
      .map(([p, end]) => `partition ${p} reached ${this.nextHistory.get(p)} of ${end}`);
    return `tail: ${this.opts.topic}: no record for a while before the end offsets (${short.join(', ')}); printing what arrived`;
  }

  /** Prints what arrived past the end offsets meanwhile, then every new record as it comes, until stopped. */
  async goLive(): Promise<void> {
    while (this.pending.length > 0) await this.print(this.pending.shift()!);
    this.live = true;
    await this.settled;
  }

  stop(): void {
    this.settle();
  }

  fail(err: unknown): void {
    this.settle(err instanceof Error ? err : new Error(`the consumer failed: ${String(err)}`));
  }

  async take(batch: Batch): Promise<void> {
    if (batch.topic !== this.opts.topic) return;
    const p = batch.partition;
    const end = this.end.get(p) ?? 0;
    try {
      for (const m of batch.messages) {
        const offset = Number(m.offset);
        if (offset < end) {
          if (offset < (this.nextHistory.get(p) ?? end)) continue;
          this.nextHistory.set(p, offset + 1);
          this.historyRecords.push(toRaw(batch.topic, p, m));
        } else if (this.opts.follow) {
          if (offset < (this.nextLive.get(p) ?? end)) continue;
          this.nextLive.set(p, offset + 1);
          const r = toRaw(batch.topic, p, m);
          if (this.live) await this.print(r);
          else this.pending.push(r);
        }
      }
    } catch (e) {
      this.fail(e);
      return;
    }
    this.lastProgress = Date.now();
    if (this.historyComplete()) this.historyDone();
  }
}

function toRaw(topic: string, partition: number, m: KafkaMessage): RawRecord {
  return {
    topic,
    partition,
    offset: m.offset,
    timestamp: m.timestamp,
    key: m.key ?? null,
    value: m.value ?? null,
    headers: m.headers,
  };
}
