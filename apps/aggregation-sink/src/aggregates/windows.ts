import { keyFor, type TrafficZoneAggregate5m, type ValueOf } from '@citypulse/contracts';
import type { AggregateSpec, AggregateStream, Column } from './aggregate-spec';
import { TRAFFIC } from './specs';
import type { StoredFields } from './stored-shapes';

/** Anything the sink stores: keyed, versioned by updatedAt. */
export interface Versioned {
  key: string;
  updatedAt: Date;
}

/**
 * One update of one window, checked and ready for both stores: `key` is the Kafka key (and the
 * MongoDB `_id`), `updatedAt` the version, `fields` the contract's fields with times as Dates.
 */
export interface AggregateWindow<V> extends Versioned {
  fields: StoredFields<V>;
}

/**
 * The longest text a field may hold. Keys and names are a few characters; far longer text is a
 * hostile or broken producer, and as a key it would break PostgreSQL's primary-key index (an index
 * entry holds at most 2,704 bytes) on every retry of the batch instead of going to the DLQ.
 */
export const MAX_TEXT_CHARS = 256;

/** The last instant a JavaScript Date holds (year 275760); a later time is an Invalid Date. */
export const MAX_EPOCH_MS = 8.64e15;

/** Why a record cannot be stored; the consumer sends it to the DLQ with this reason. */
export class InvalidAggregateError extends Error {
  override readonly name = 'InvalidAggregateError';
}

/** Maps a decoded aggregate record; throws InvalidAggregateError listing every problem. */
export function toWindow<S extends AggregateStream>(
  spec: AggregateSpec<S>,
  record: ValueOf<S>,
): AggregateWindow<ValueOf<S>> {
  const r = record as unknown as Record<string, unknown>;
  const problems = problemsOf(spec, record);
  if (problems.length > 0) {
    // an absurdly long id would push the problems past what the DLQ header keeps
    const id = String(r.event_id);
    const shown = id.length > MAX_TEXT_CHARS ? `${id.slice(0, 64)}…` : id;
    throw new InvalidAggregateError(`${spec.name} aggregate ${shown}: ${problems.join('; ')}`);
  }
  const fields: Record<string, unknown> = {};
  for (const c of spec.columns) {
    const v = r[c.name] ?? null;
    fields[c.name] = c.kind === 'time' && typeof v === 'number' ? new Date(v) : v;
  }
  return {
    key: keyFor(spec.stream, record),
    updatedAt: new Date(r[spec.version] as number),
    fields: fields as StoredFields<ValueOf<S>>,
  };
}

/**
 * What makes a record impossible, one sentence each, in this order: the window's times, the
 * window itself (end after start, the contract's length), each field by its contract type (text
 * at most MAX_TEXT_CHARS without NUL, key text not empty, enum symbols, numbers finite and >= 0 unless the
 * spec says `signed`, whole counts, percentages 0-100), then the spec's own checks across fields.
 */
export function problemsOf<S extends AggregateStream>(
  spec: AggregateSpec<S>,
  record: ValueOf<S>,
): string[] {
  const r = record as unknown as Record<string, unknown>;
  const out: string[] = [];
  const times = spec.columns.filter((c) => c.kind === 'time');
  for (const c of times) {
    const v = r[c.name];
    if (v === null && c.nullable) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0 || v > MAX_EPOCH_MS)
      out.push(`${c.name} ${String(v)} is not a positive epoch millis a date can hold`);
  }
  const [start, end] = [r.window_start, r.window_end];
  if (typeof start === 'number' && typeof end === 'number') {
    if (!(end > start)) out.push('window_end is not after window_start');
    else if (end - start !== spec.windowMs)
      out.push(`the window lasts ${end - start} ms, not the contract's ${spec.windowMs} ms`);
  }
  for (const c of spec.columns) {
    if (c.kind === 'time') continue;
    const problem = problemOfField(spec, c, r[c.name]);
    if (problem) out.push(problem);
  }
  out.push(...spec.crossChecks(record));
  return out;
}

function problemOfField(spec: AggregateSpec, c: Column, v: unknown): string | undefined {
  if (v === null || v === undefined) return c.nullable ? undefined : `${c.name} is missing`;
  switch (c.kind) {
    case 'text':
      if (typeof v !== 'string') return `${c.name} is not text`;
      if (v.length > MAX_TEXT_CHARS)
        return `${c.name} is ${v.length} characters long, more than ${MAX_TEXT_CHARS}`;
      // PostgreSQL's text cannot store U+0000 (FerretDB takes it): refused on every retry
      if (v.includes('\u0000')) return `${c.name} contains a NUL character`;
      return spec.keyFields.includes(c.name) && !v.trim() ? `${c.name} is empty` : undefined;
    case 'enum':
      if (typeof v !== 'string') return `${c.name} is not an enum symbol`;
      return c.symbols?.includes(v)
        ? undefined
        : `${c.name} ${v} is not one of ${c.symbols?.join(', ')}`;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : `${c.name} is not a boolean`;
    case 'double':
    case 'integer': {
      const whole = c.kind === 'integer';
      const n = typeof v === 'number' ? v : Number.NaN;
      const shown = typeof v === 'number' ? String(v) : JSON.stringify(v);
      if (spec.percent.has(c.name)) {
        return Number.isFinite(n) && n >= 0 && n <= 100 && (!whole || Number.isSafeInteger(n))
          ? undefined
          : `${c.name} ${shown} is not a percentage 0-100`;
      }
      if (spec.signed.has(c.name)) {
        if (whole) return Number.isSafeInteger(n) ? undefined : `${c.name} ${shown} is not whole`;
        return Number.isFinite(n) ? undefined : `${c.name} ${shown} is not finite`;
      }
      if (whole)
        return Number.isSafeInteger(n) && n >= 0 ? undefined : `${c.name} ${shown} is not a count`;
      return Number.isFinite(n) && n >= 0
        ? undefined
        : `${c.name} ${shown} is not a finite number >= 0`;
    }
    case 'time':
      return undefined;
  }
}

/** `toWindow(TRAFFIC, r)`, under the name bench/sink-scaling.bench.js loads from dist/. */
export function toTrafficWindow(
  r: TrafficZoneAggregate5m,
): AggregateWindow<TrafficZoneAggregate5m> {
  return toWindow(TRAFFIC, r);
}
