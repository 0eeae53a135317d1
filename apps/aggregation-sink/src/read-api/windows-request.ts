import { canonicalId } from '@citypulse/postgres';
import type { AggregateSpec } from '../aggregates/aggregate-spec';
import { BadQueryError, DAY_MS, MAX_LIMIT, parseTimeRange, type TimeRange } from './time-range';

/** GET /<route>/<segment>/<value>/.../windows, checked: which series, which windows. */
export interface WindowsRequest {
  /** the series fields' values, in key order, canonical (ids trimmed and upper-cased) */
  series: Record<string, string>;
  range: TimeRange;
}

const QUERY_PARAMS = ['from', 'to', 'limit'];
const MAX_ID_LENGTH = 100;

/** The route of an aggregate's windows, under its `/<route>`: `zones/:zone_id/windows`. */
export function windowsPath(spec: AggregateSpec): string {
  return [...spec.seriesFields.map((f) => `${spec.pathSegments[f]}/:${f}`), 'windows'].join('/');
}

/**
 * Checks the path and query of a windows request; throws BadQueryError (HTTP 400) naming the
 * problem. Ids are matched like the normalizer stores them (trimmed, upper-cased); an enum
 * field must be one of the contract's symbols; unknown query parameters are refused. `limit`
 * defaults to a day of the aggregate's windows.
 */
export function parseWindowsRequest(
  spec: AggregateSpec,
  params: Readonly<Record<string, unknown>>,
  query: Readonly<Record<string, unknown>>,
): WindowsRequest {
  const series: Record<string, string> = {};
  for (const field of spec.seriesFields) series[field] = seriesValue(spec, field, params[field]);
  const unknown = Object.keys(query).filter((k) => !QUERY_PARAMS.includes(k));
  if (unknown.length > 0) {
    throw new BadQueryError(
      `unknown query parameter ${unknown.join(', ')} (known: ${QUERY_PARAMS.join(', ')})`,
    );
  }
  const aDay = Math.min(MAX_LIMIT, Math.ceil(DAY_MS / spec.windowMs));
  return { series, range: parseTimeRange(query, aDay) };
}

function seriesValue(spec: AggregateSpec, field: string, raw: unknown): string {
  if (typeof raw !== 'string') throw new BadQueryError(`${field} is missing`);
  const value = canonicalId(raw);
  if (value === '') throw new BadQueryError(`${field} is empty`);
  if (value.length > MAX_ID_LENGTH)
    throw new BadQueryError(`${field} is longer than ${MAX_ID_LENGTH} characters`);
  const symbols = spec.columns.find((c) => c.name === field)?.symbols;
  if (symbols && !symbols.includes(value))
    throw new BadQueryError(`${field} must be one of ${symbols.join(', ')}, got "${raw}"`);
  return value;
}
