import type { KafkaMessage } from 'kafkajs';
import { headersBytes } from '../dlq/dlq-batches';
import { DecodeError } from '../errors';
import { peekSchemaId } from '../wire/confluent-frame';

/**
 * What a consumer takes from a topic at most; anything over it goes to the DLQ. Pure checks, no I/O.
 *
 * - `maxRecordBytes`: key + value + header (names and values) bytes. A larger record is refused
 *   **before** it is decoded (code TOO_LARGE), so a hostile producer cannot make the consumer parse
 *   or hold more than this per record. Decoding what is under it costs time and memory linear in
 *   its bytes: AvroSerde bounds every array and map block by the bytes left (avsc alone loops once
 *   per item a block's count announces, 2^52 times for a record of a few bytes) and refuses a writer
 *   schema with an array of items that can take zero bytes (UNKNOWN_SCHEMA), the one loop no byte
 *   count bounds. The broker's own default (message.max.bytes 1,048,588 per batch) keeps larger
 *   records off a topic unless its max.message.bytes was raised.
 * - `maxStringChars`: the longest string (or bytes) field of a decoded record (code FIELD_TOO_LONG):
 *   a 1 MB "id" inside an otherwise valid record is refused here, not by a database index later.
 */
export interface RecordLimits {
  maxRecordBytes: number;
  maxStringChars: number;
}

export const DEFAULT_RECORD_LIMITS: RecordLimits = {
  maxRecordBytes: 1_048_576,
  maxStringChars: 65_536,
};

/** The reason first in the message, as the DLQ's readers (and the normalizer's rejects) spell it. */
export const TOO_LARGE_REASON = 'too_large';
export const FIELD_TOO_LONG_REASON = 'field_too_long';

/** A record's size as the limit counts it: its key, value and header (names and values) bytes. */
export function recordBytes(message: Pick<KafkaMessage, 'key' | 'value' | 'headers'>): number {
  return (message.value?.length ?? 0) + (message.key?.length ?? 0) + headersBytes(message.headers);
}

/** TOO_LARGE when the record is over `maxRecordBytes`, else undefined. Looks at lengths only. */
export function oversizeError(
  message: Pick<KafkaMessage, 'key' | 'value' | 'headers'>,
  limits: RecordLimits,
): DecodeError | undefined {
  const bytes = recordBytes(message);
  if (bytes <= limits.maxRecordBytes) return undefined;
  const schemaId = peekSchemaId(message.value);
  const counted =
    message.headers && headersBytes(message.headers) > 0 ? 'key + value + headers' : 'key + value';
  return new DecodeError(
    'TOO_LARGE',
    `${TOO_LARGE_REASON}: record of ${bytes} bytes (${counted}) is over this consumer's limit of ${limits.maxRecordBytes} bytes; not decoded`,
    schemaId === undefined ? {} : { schemaId },
  );
}

const MAX_DEPTH = 32;

/**
 * FIELD_TOO_LONG when a string or bytes field of the decoded `value` (records, arrays and maps
 * walked) is longer than `maxStringChars`, else undefined. `wireBytes` is the encoded size: a string
 * of n UTF-16 units needs at least n bytes on the wire, so a record smaller than the limit is not
 * walked at all (the common case costs one comparison).
 */
export function longFieldError(
  value: unknown,
  wireBytes: number,
  schemaId: number,
  limits: RecordLimits,
): DecodeError | undefined {
  if (wireBytes <= limits.maxStringChars) return undefined;
  const found = longField(value, limits.maxStringChars, '', 0);
  if (!found) return undefined;
  return new DecodeError(
    'FIELD_TOO_LONG',
    `${FIELD_TOO_LONG_REASON}: field ${found.path || '(value)'} is ${found.length} long, over this consumer's limit of ${limits.maxStringChars}`,
    { schemaId },
  );
}

function longField(
  v: unknown,
  max: number,
  path: string,
  depth: number,
): { path: string; length: number } | undefined {
  if (typeof v === 'string' || Buffer.isBuffer(v))
    return v.length > max ? { path, length: v.length } : undefined;
  if (typeof v !== 'object' || v === null || depth >= MAX_DEPTH) return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const hit = longField(v[i], max, `${path}[${i}]`, depth + 1);
      if (hit) return hit;
    }
    return undefined;
  }
  // own keys only: avsc records carry methods on their prototype
  for (const k of Object.keys(v)) {
    const hit = longField(
      (v as Record<string, unknown>)[k],
      max,
      path ? `${path}.${k}` : k,
      depth + 1,
    );
    if (hit) return hit;
  }
  return undefined;
}
