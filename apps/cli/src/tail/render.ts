import { isDlqTopic } from '@citypulse/contracts';
import { headersToStrings } from '@citypulse/kafka';
import type { IHeaders } from 'kafkajs';

/** A record as read from a topic, before decoding. */
export interface RawRecord {
  topic: string;
  partition: number;
  offset: string;
  /** ms since the epoch, as kafkajs gives it */
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders | undefined;
}

/** What decoding a value gave: the value and its schema id, or why it could not be decoded. */
export type Decoding =
  | { ok: true; schemaId: number; value: unknown }
  | { ok: false; code: string; message: string; schemaId?: number | undefined };

/** Bytes shown as text when they are printable UTF-8, else as base64. */
export type BytesView = { utf8: string } | { base64: string };

/** One line of `tail`'s output, before JSON.stringify. */
export interface TailLine {
  topic: string;
  partition: number;
  offset: string;
  /** ISO 8601, UTC */
  timestamp: string;
  /** the key as text (keys are UTF-8 on every citypulse topic), base64 when it is not printable */
  key: string | { base64: string } | null;
  /** on a DLQ topic: the `dlq.*` headers without the prefix (original.topic, error.message, ...) */
  dlq?: Record<string, string>;
  /** the other headers (on a DLQ record: the original record's own) */
  headers?: Record<string, string>;
  schemaId?: number;
  /** the decoded value; null for a tombstone */
  value?: unknown;
  /** why the value could not be decoded (the raw bytes follow) */
  decodeError?: { code: string; message: string };
  /** the value's bytes: on every DLQ record, and whenever the value could not be decoded */
  raw?: BytesView;
}

const DLQ_PREFIX = 'dlq.';

/**
 * The output line of a record: where it is, its key, its headers (a DLQ record's `dlq.*` error
 * context apart), then its decoded value, or the decode error and the raw bytes. `decoding` is
 * null for a record without a value (a tombstone).
 */
export function renderRecord(r: RawRecord, decoding: Decoding | null): TailLine {
  const line: TailLine = {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: isoTime(r.timestamp),
    key: r.key === null ? null : keyView(r.key),
  };
  const dlqTopic = isDlqTopic(r.topic);
  const { dlq, other } = splitHeaders(r.headers, dlqTopic);
  if (dlqTopic) line.dlq = dlq;
  if (Object.keys(other).length > 0) line.headers = other;
  if (decoding === null || r.value === null) {
    line.value = null;
    return line;
  }
  if (decoding.schemaId !== undefined) line.schemaId = decoding.schemaId;
  if (decoding.ok) line.value = decoding.value;
  else line.decodeError = { code: decoding.code, message: decoding.message };
  if (dlqTopic || !decoding.ok) line.raw = bytesView(r.value);
  return line;
}

/** A line as JSON: Avro bytes and fixed values as base64, longs beyond 2^53 as strings. */
export function toJsonLine(line: TailLine): string {
  return JSON.stringify(line, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    // Buffer.toJSON runs before the replacer sees it: {type: 'Buffer', data: [...]}
    if (isBufferJson(v)) return Buffer.from(v.data).toString('base64');
    return v;
  });
}

/** Printable UTF-8 (no control characters but tab, newline, carriage return) as text, else base64. */
export function bytesView(buf: Buffer): BytesView {
  const text = printableUtf8(buf);
  return text === undefined ? { base64: buf.toString('base64') } : { utf8: text };
}

function keyView(buf: Buffer): string | { base64: string } {
  return printableUtf8(buf) ?? { base64: buf.toString('base64') };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function printableUtf8(buf: Buffer): string | undefined {
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    return undefined;
  }
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) ? undefined : text;
}

function splitHeaders(
  headers: IHeaders | undefined,
  dlqTopic: boolean,
): { dlq: Record<string, string>; other: Record<string, string> } {
  const dlq: Record<string, string> = {};
  const other: Record<string, string> = {};
  for (const [name, text] of Object.entries(headersToStrings(headers))) {
    if (dlqTopic && name.startsWith(DLQ_PREFIX)) dlq[name.slice(DLQ_PREFIX.length)] = text;
    else other[name] = text;
  }
  return { dlq, other };
}

function isoTime(ms: string): string {
  const d = new Date(Number(ms));
  return Number.isNaN(d.getTime()) ? ms : d.toISOString();
}

function isBufferJson(v: unknown): v is { type: 'Buffer'; data: number[] } {
  return (
    typeof v === 'object' &&
    v !== null &&
    (v as { type?: unknown }).type === 'Buffer' &&
    Array.isArray((v as { data?: unknown }).data)
  );
}
