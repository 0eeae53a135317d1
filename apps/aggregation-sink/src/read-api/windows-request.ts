import { canonicalId } from '@citypulse/postgres';
import {
  controlCharacterProblem,
  instantParam,
  integerParam,
  invalid,
  type QuerySpec,
  type QueryValues,
} from '@citypulse/rest';
import type { AggregateSpec } from '../aggregates/aggregate-spec';

/** One page of a series' windows: from (inclusive) <= window_start < to (exclusive), at most limit. */
export interface TimeRange {
  from: Date;
  to: Date;
  limit: number;
}

/** GET /<route>/<segment>/<value>/.../windows, checked: which series, which windows. */
export interface WindowsRequest {
  /** the series fields' values, in key order, canonical (ids trimmed and upper-cased) */
  series: Record<string, string>;
  range: TimeRange;
}

export const DAY_MS = 86_400_000;
/** The largest page of windows (about 3.5 days of 1-minute windows, 17 of 5-minute ones). */
export const MAX_LIMIT = 5_000;
export const MAX_ID_LENGTH = 100;
/** Where `from` starts when not given, and `to` ends: the first and last instants a Date holds. */
const EARLIEST = new Date(0);
const LATEST = new Date(8.64e15);

/** The route of an aggregate's windows, under its `/<route>`: `zones/:zone_id/windows`. */
export function windowsPath(spec: AggregateSpec): string {
  return [...spec.seriesFields.map((f) => `${spec.pathSegments[f]}/:${f}`), 'windows'].join('/');
}

/** The default page: a day of the aggregate's windows (288 of 5 minutes, 1440 of 1 minute). */
export function defaultLimit(spec: AggregateSpec): number {
  return Math.min(MAX_LIMIT, Math.ceil(DAY_MS / spec.windowMs));
}

/** The query parameters of an aggregate's windows route (checked and documented from this). */
export function windowsQueryParams(spec: AggregateSpec) {
  return {
    from: instantParam(
      'First window_start of the page (inclusive): ISO-8601 (a date, or a date-time with Z or an ' +
        'offset) or epoch milliseconds. Default: the beginning. To read the next page, pass the ' +
        "previous page's next_from.",
    ),
    to: instantParam(
      'Where the range ends (exclusive), compared with window_start; same formats as from. Must be ' +
        'after from. Default: no end.',
    ),
    limit: integerParam({
      description:
        'Most windows in the page (oldest first). Default: a day of windows of this aggregate.',
      min: 1,
      max: MAX_LIMIT,
      default: defaultLimit(spec),
    }),
  } satisfies QuerySpec;
}

export type WindowsQuery = QueryValues<ReturnType<typeof windowsQueryParams>>;

/**
 * Checks the path of a windows request and puts it together with its (already checked) query;
 * throws InvalidRequestError (HTTP 400) naming the parameter. Ids are matched like the normalizer
 * stores them (trimmed, upper-cased); an enum field must be one of the contract's symbols, in any
 * case.
 */
export function parseWindowsRequest(
  spec: AggregateSpec,
  params: Readonly<Record<string, unknown>>,
  query: WindowsQuery,
): WindowsRequest {
  const series: Record<string, string> = {};
  for (const field of spec.seriesFields) series[field] = seriesValue(spec, field, params[field]);
  const from = query.from ?? EARLIEST;
  const to = query.to ?? LATEST;
  if (to.getTime() <= from.getTime()) invalid('query', 'to', 'to must be after from');
  return { series, range: { from, to, limit: query.limit } };
}

function seriesValue(spec: AggregateSpec, field: string, raw: unknown): string {
  if (typeof raw !== 'string') return invalid('path', field, `${field} is missing`);
  const control = controlCharacterProblem(field, raw);
  if (control) invalid('path', field, control);
  const value = canonicalId(raw);
  if (value === '') invalid('path', field, `${field} is empty`);
  if (value.length > MAX_ID_LENGTH)
    invalid('path', field, `${field} is longer than ${MAX_ID_LENGTH} characters`);
  const symbols = spec.columns.find((c) => c.name === field)?.symbols;
  if (symbols && !symbols.includes(value))
    invalid('path', field, `${field} must be one of ${symbols.join(', ')}, got "${raw}"`);
  return value;
}

/**
 * The `from` of the page after one that ended with `lastStart`: window_start is unique within a
 * series (the primary key ends with it), so the next page starts 1 ms after the last one shown.
 */
export function nextFrom(lastStart: string): string {
  return new Date(new Date(lastStart).getTime() + 1).toISOString();
}
