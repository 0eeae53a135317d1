import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { DLQ_HEADERS } from './dlq-headers';

/**
 * A topic takes a record batch of at most max.message.bytes (1,048,588 by default), and kafkajs
 * sends a call's records of one partition as one batch: the DLQ records of a batch are sent in
 * chunks well below it, or three bad records of 400 KB would be refused together.
 */
export const DLQ_CHUNK_BYTES = 512 * 1024;

/** Bytes a message adds to a batch: key, value, headers and a record's overhead. */
export function messageBytes(m: Pick<Message, 'key' | 'value' | 'headers'>): number {
  return 70 + lengthOf(m.key) + lengthOf(m.value) + headersBytes(m.headers);
}

/** The bytes of a record's headers: names and values (UTF-8). */
export function headersBytes(headers: IHeaders | undefined): number {
  let n = 0;
  for (const [k, v] of Object.entries(headers ?? {})) {
    n += Buffer.byteLength(k);
    for (const one of Array.isArray(v) ? v : [v]) n += lengthOf(one);
  }
  return n;
}

function lengthOf(v: Buffer | string | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}

/** Consecutive chunks of at most `maxBytes` (a message bigger than that alone in its chunk). */
export function chunkBySize<M extends Pick<Message, 'key' | 'value' | 'headers'>>(
  messages: M[],
  maxBytes = DLQ_CHUNK_BYTES,
): M[][] {
  const out: M[][] = [];
  let chunk: M[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = messageBytes(m);
    if (chunk.length > 0 && bytes + size > maxBytes) {
      out.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(m);
    bytes += size;
  }
  if (chunk.length > 0) out.push(chunk);
  return out;
}

/** The DLQ message without its value: the original size goes into `dlq.value.omitted`. */
export function withoutValue<M extends Message>(m: M, originalBytes = lengthOf(m.value)): M {
  const headers: IHeaders = {
    ...(m.headers ?? {}),
    [DLQ_HEADERS.valueOmitted]: String(originalBytes),
  };
  return { ...m, value: null, headers };
}

/**
 * The last resort for a DLQ record the topic refuses as too large even without its value (an
 * oversize key or headers): no key, no value, none of the original headers — only `dlqHeaders`
 * (the DLQ context, buildDlqHeaders without the original headers) and the sizes of what was left
 * out (`dlq.key.omitted`, `dlq.value.omitted`, `dlq.headers.omitted`). The record itself stays at
 * its original topic, partition and offset.
 */
export function dlqStub(
  dlqHeaders: IHeaders,
  original: Pick<KafkaMessage, 'key' | 'value' | 'headers'>,
): Message {
  return {
    key: null,
    value: null,
    headers: {
      ...dlqHeaders,
      [DLQ_HEADERS.keyOmitted]: String(lengthOf(original.key)),
      [DLQ_HEADERS.valueOmitted]: String(lengthOf(original.value)),
      [DLQ_HEADERS.headersOmitted]: String(headersBytes(original.headers)),
    },
  };
}

/** Whether the broker refused a produce request because a record (batch) was over its size limit. */
export function isTooLargeForBroker(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    const x = e as { type?: unknown; cause?: unknown; originalError?: unknown };
    if (x.type === 'MESSAGE_TOO_LARGE' || x.type === 'RECORD_LIST_TOO_LARGE') return true;
    e = x.cause ?? x.originalError;
  }
  return false;
}
