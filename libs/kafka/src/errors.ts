import { SchemaRegistryError } from '@citypulse/contracts';

/**
 * Errors carry a stable code, a retriable flag and a cause (kafkajs `src/errors.js` style), so the
 * consumer decides what to do with a failure from its type, never from its message text.
 */
export type KafkaLibErrorCode =
  | 'INVALID_RECORD'
  | 'BAD_FRAME'
  | 'UNKNOWN_SCHEMA'
  | 'AVRO_DECODE'
  | 'TOO_LARGE'
  | 'FIELD_TOO_LONG'
  | 'AVRO_ENCODE'
  | 'RECORD_TOO_LARGE'
  | 'REGISTRY_UNAVAILABLE'
  | 'REGISTRY_ERROR'
  | 'BROKER_UNAVAILABLE'
  | 'SINK_TIMEOUT'
  | 'SINK_UNAVAILABLE'
  | 'TRANSIENT'
  | 'BACKPRESSURE'
  | 'RETRIES_EXHAUSTED'
  | 'FATAL';

export class KafkaLibError extends Error {
  readonly code: KafkaLibErrorCode;
  readonly retriable: boolean;

  constructor(
    code: KafkaLibErrorCode,
    message: string,
    opts: { retriable?: boolean; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = opts.retriable ?? false;
  }
}

/** The handler's verdict that a record is bad: it goes to the DLQ and consumption goes on. */
export class InvalidRecordError extends KafkaLibError {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super('INVALID_RECORD', message, { retriable: false, cause: opts.cause });
  }
}

/**
 * The bytes on the wire could not be turned into a record, or are more than a consumer takes (a
 * record over its size limit, left undecoded; a string field over its length limit): a DLQ case.
 */
export class DecodeError extends KafkaLibError {
  readonly schemaId: number | undefined;

  constructor(
    code: 'BAD_FRAME' | 'UNKNOWN_SCHEMA' | 'AVRO_DECODE' | 'TOO_LARGE' | 'FIELD_TOO_LONG',
    message: string,
    opts: { schemaId?: number; cause?: unknown } = {},
  ) {
    super(code, message, { retriable: false, cause: opts.cause });
    this.schemaId = opts.schemaId;
  }
}

/** A failure that may pass by itself (sink timeout, broker or registry down): retried with backoff. */
export class TransientError extends KafkaLibError {
  constructor(
    message: string,
    opts: {
      code?:
        | 'BROKER_UNAVAILABLE'
        | 'SINK_TIMEOUT'
        | 'SINK_UNAVAILABLE'
        | 'REGISTRY_UNAVAILABLE'
        | 'TRANSIENT';
      cause?: unknown;
    } = {},
  ) {
    super(opts.code ?? 'TRANSIENT', message, { retriable: true, cause: opts.cause });
  }
}

/**
 * Thrown by a handler (or requested through the batch context) when its downstream is saturated:
 * the partition is paused for `resumeAfterMs` and the unhandled records are fetched again later.
 */
export class BackpressureSignal extends KafkaLibError {
  readonly resumeAfterMs: number;

  constructor(resumeAfterMs = 1_000, message = 'downstream saturated') {
    super('BACKPRESSURE', message, { retriable: true });
    this.resumeAfterMs = resumeAfterMs;
  }
}

export class RetriesExhaustedError extends KafkaLibError {
  readonly attempts: number;

  constructor(attempts: number, cause: unknown) {
    super('RETRIES_EXHAUSTED', `gave up after ${attempts} attempts: ${errorMessage(cause)}`, {
      retriable: false,
      cause,
    });
    this.attempts = attempts;
  }
}

/** What the consumer does with a failure. */
export type Disposition = 'dlq' | 'retry' | 'backpressure' | 'fatal';

/** What to do with an error nobody classified (a bug such as a TypeError in the handler). */
export type UnknownErrorPolicy = 'dlq' | 'retry' | 'fatal';

const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * Decides what happens to a failure. Typed errors decide for themselves; kafkajs errors and Node
 * network errors carry their own retriable flag or code; anything else follows `unknown`.
 */
export function classifyError(err: unknown, unknown: UnknownErrorPolicy = 'dlq'): Disposition {
  if (err instanceof BackpressureSignal) return 'backpressure';
  if (err instanceof InvalidRecordError || err instanceof DecodeError) return 'dlq';
  if (err instanceof RetriesExhaustedError) return 'fatal';
  if (err instanceof KafkaLibError) return err.retriable ? 'retry' : 'fatal';
  // registry down (network, 5xx, 429): retried; a 4xx is a bug or a misconfiguration
  if (err instanceof SchemaRegistryError) return err.retriable ? 'retry' : 'fatal';
  if (isRecord(err)) {
    if (
      typeof err.retriable === 'boolean' &&
      typeof err.name === 'string' &&
      err.name.startsWith('KafkaJS')
    ) {
      // kafkajs gives up after its own few seconds of retries and wraps the retriable error it
      // kept getting as a non-retriable one: a broker that is restarting, not a refusal
      return err.retriable || brokerUnavailable(err) ? 'retry' : 'fatal';
    }
    if (typeof err.code === 'string' && TRANSIENT_NODE_CODES.has(err.code)) return 'retry';
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'retry';
  }
  return unknown;
}

/** kafkajs errors that say the broker is not there (yet): it may come back. */
const BROKER_GONE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
]);

/**
 * Whether a failure means the broker is unreachable or not ready (restarting, a leader moving),
 * looking through the causes kafkajs wraps once its own retries ran out: a connection error, a
 * request timeout, a retriable protocol error (NOT_LEADER, LEADER_NOT_AVAILABLE, NOT_COORDINATOR,
 * ...) or a network error of Node. An authentication or authorization failure is not.
 */
export function brokerUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e: unknown = err; isRecord(e) && !seen.has(e); e = e.cause) {
    seen.add(e);
    const name = typeof e.name === 'string' ? e.name : '';
    if (BROKER_GONE.has(name)) return true;
    if (name === 'KafkaJSProtocolError' && e.retriable === true) return true;
    if (typeof e.code === 'string' && TRANSIENT_NODE_CODES.has(e.code)) return true;
  }
  return false;
}

/** A short label for metrics and DLQ headers: the stable code when there is one. */
export function errorCode(err: unknown): string {
  if (err instanceof KafkaLibError) return err.code;
  if (isRecord(err)) {
    if (typeof err.code === 'string') return err.code;
    if (typeof err.type === 'string') return err.type;
  }
  return 'HANDLER_ERROR';
}

export function errorClass(err: unknown): string {
  if (err instanceof Error) return err.name || err.constructor.name;
  return typeof err;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
