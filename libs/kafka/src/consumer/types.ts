import type { IHeaders } from 'kafkajs';
import type { AvroSchema } from '../serde/avro-serde';
import type { BackoffOptions } from '../retry/backoff';
import type { InvalidRecordError, UnknownErrorPolicy } from '../errors';

/** One decoded Kafka record, as a handler sees it. */
export interface KafkaRecord<T = unknown> {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: T;
  headers: IHeaders;
  /** Broker/producer timestamp, ms since epoch, as a string (as kafkajs gives it). */
  timestamp: string;
  schemaId: number;
  /** The bytes as they were on the wire (kept for the DLQ). */
  raw: Buffer;
}

export type HandlerMode = 'record' | 'batch';

export interface HandlerOptions {
  /** 'record' (default): the handler gets one record at a time; 'batch': an array of decoded records. */
  mode?: HandlerMode;
  /** Batch mode: at most this many records per call (offsets are committed between calls). Default 5,000. */
  maxBatchRecords?: number;
  /** Retries of transient errors. Defaults to the consumer's. */
  backoff?: Partial<BackoffOptions>;
  /** Errors nobody classified (a TypeError, say). Default 'dlq'. */
  unknownErrors?: UnknownErrorPolicy;
  /** Decode into this reader schema (Avro schema resolution) instead of the writer's. */
  readerSchema?: AvroSchema;
  /** Event time of a value, for the end-to-end latency metric. Default: `event_time`/`eventTime` field, else the record timestamp. */
  eventTime?: (value: unknown) => number | undefined;
}

export interface HandlerContext {
  readonly topic: string;
  readonly partition: number;
  /** 1 on the first try, 2 on the first retry, ... */
  readonly attempt: number;
  /** Keep group membership alive inside a long-running handler. */
  heartbeat(): Promise<void>;
}

export interface BatchHandlerContext extends HandlerContext {
  /** Send one record of the batch to the DLQ; the rest count as handled. */
  reject(record: KafkaRecord, error: InvalidRecordError): void;
  /** Downstream is saturated: after this batch, pause the partition for `resumeAfterMs`. */
  backpressure(resumeAfterMs?: number): void;
}

export type RecordHandlerFn<T = unknown> = (record: KafkaRecord<T>, ctx: HandlerContext) => unknown;
export type BatchHandlerFn<T = unknown> = (
  records: KafkaRecord<T>[],
  ctx: BatchHandlerContext,
) => unknown;

export type HandlerRegistration =
  | { topic: string; options: HandlerOptions & { mode?: 'record' }; handle: RecordHandlerFn }
  | { topic: string; options: HandlerOptions & { mode: 'batch' }; handle: BatchHandlerFn };

/** The logger subset the library uses (NestJS Logger and console both fit). */
export interface KafkaLogger {
  log(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}
