import type { IHeaders } from 'kafkajs';
import { errorClass, errorCode, errorMessage } from '../errors';

/** Header names on a DLQ record. The original record's own headers are kept beside them. */
export const DLQ_HEADERS = {
  topic: 'dlq.original.topic',
  partition: 'dlq.original.partition',
  offset: 'dlq.original.offset',
  timestamp: 'dlq.original.timestamp',
  errorClass: 'dlq.error.class',
  errorCode: 'dlq.error.code',
  errorMessage: 'dlq.error.message',
  schemaId: 'dlq.schema.id',
  service: 'dlq.service',
  attempt: 'dlq.attempt',
  failedAt: 'dlq.failed.at',
  /** for a record that never was on a topic: the file it came from and its line there (1-based) */
  sourceFile: 'dlq.source.file',
  sourceLine: 'dlq.source.line',
  /**
   * Present when the DLQ record carries no value: the original value's size in bytes. A record over
   * the consumer's size limit, or one the DLQ topic refuses as too large, keeps its key and headers
   * here; its bytes stay at the original topic, partition and offset.
   */
  valueOmitted: 'dlq.value.omitted',
  /**
   * Present on a stub, the last resort for a record the DLQ topic refuses as too large even without
   * its value (an oversize key or headers): no key, value or original headers, only the DLQ headers,
   * these sizes in bytes (key; header names and values) and `dlq.value.omitted`.
   */
  keyOmitted: 'dlq.key.omitted',
  headersOmitted: 'dlq.headers.omitted',
} as const;

/** Error messages can hold a whole payload; headers should stay small. */
export const MAX_ERROR_MESSAGE_LENGTH = 1_000;

/** The dead-letter topic of a topic: libs/contracts' rule (topics.json's dlqSuffix), one spelling. */
export { dlqTopic as dlqTopicFor } from '@citypulse/contracts';

export interface DlqContext {
  topic: string;
  partition: number;
  offset: string;
  /** The original record's timestamp (ms since epoch, as a string, like kafkajs gives it). */
  timestamp: string;
  error: unknown;
  schemaId: number | undefined;
  service: string;
  attempt: number;
  now?: number;
}

/** The headers of a DLQ record: the original headers, then the DLQ context (which wins on a clash). */
export function buildDlqHeaders(ctx: DlqContext, original: IHeaders | undefined): IHeaders {
  return {
    ...(original ?? {}),
    [DLQ_HEADERS.topic]: ctx.topic,
    [DLQ_HEADERS.partition]: String(ctx.partition),
    [DLQ_HEADERS.offset]: ctx.offset,
    [DLQ_HEADERS.timestamp]: ctx.timestamp,
    ...failureHeaders(ctx),
  };
}

/** Where a record read from a file (a replay) failed: it has a file and line, not a partition and offset. */
export interface FileDlqContext {
  /** the topic the record was meant for */
  topic: string;
  file: string;
  /** 1-based line number of the record in the file */
  line: number;
  error: unknown;
  /** the schema the record was checked against, when it was registered */
  schemaId: number | undefined;
  service: string;
  now?: number;
}

/**
 * The headers of a DLQ record for a record that came from a file: the same error, schema,
 * service and time headers as buildDlqHeaders, `dlq.original.topic` the topic it was meant for,
 * and `dlq.source.file` / `dlq.source.line` in place of the partition, offset and timestamp.
 */
export function buildFileDlqHeaders(ctx: FileDlqContext): IHeaders {
  return {
    [DLQ_HEADERS.topic]: ctx.topic,
    [DLQ_HEADERS.sourceFile]: ctx.file,
    [DLQ_HEADERS.sourceLine]: String(ctx.line),
    ...failureHeaders({ ...ctx, attempt: 1 }),
  };
}

function failureHeaders(ctx: {
  error: unknown;
  schemaId: number | undefined;
  service: string;
  attempt: number;
  now?: number;
}): IHeaders {
  const msg = errorMessage(ctx.error);
  return {
    [DLQ_HEADERS.errorClass]: errorClass(ctx.error),
    [DLQ_HEADERS.errorCode]: errorCode(ctx.error),
    [DLQ_HEADERS.errorMessage]:
      msg.length > MAX_ERROR_MESSAGE_LENGTH ? `${msg.slice(0, MAX_ERROR_MESSAGE_LENGTH)}…` : msg,
    [DLQ_HEADERS.schemaId]: ctx.schemaId === undefined ? '' : String(ctx.schemaId),
    [DLQ_HEADERS.service]: ctx.service,
    [DLQ_HEADERS.attempt]: String(ctx.attempt),
    [DLQ_HEADERS.failedAt]: String(ctx.now ?? Date.now()),
  };
}

/** Reads kafkajs headers (Buffer | string | array) as strings: for tests and DLQ tooling. */
export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    const first = Array.isArray(v) ? v[0] : v;
    if (first === undefined) continue;
    out[k] = typeof first === 'string' ? first : first.toString('utf8');
  }
  return out;
}
