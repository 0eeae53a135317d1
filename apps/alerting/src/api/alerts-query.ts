/**
 * The query parameters of the alerts REST API, declared once: checked strictly by @citypulse/rest
 * (unknown, repeated, bracketed, empty, mistyped or out-of-range parameters are a 400 naming the
 * parameter) and documented in the OpenAPI document from the same declaration.
 */
import { canonicalId } from '@citypulse/postgres';
import {
  controlCharacterProblem,
  instantParam,
  integerParam,
  invalid,
  textParam,
  type QuerySpec,
  type QueryValues,
} from '@citypulse/rest';

export const MAX_LIMIT = 5_000;
export const MAX_ID_LENGTH = 500;
const DAY_MS = 86_400_000;

const zone = textParam({
  description: "Only alerts of this zone (trimmed and upper-cased, like the normalizer's ids).",
  maxLength: 100,
  example: 'Z01',
  canonical: canonicalId,
});

/** GET /alerts/open */
export const OPEN_QUERY = {
  zone,
  limit: integerParam({
    description:
      'Most alerts in the answer, newest first. The open alerts are a current state (one per rule ' +
      'and subject at most), not paginated: raise limit up to the maximum to see them all.',
    min: 1,
    max: MAX_LIMIT,
    default: 500,
  }),
} satisfies QuerySpec;

/** GET /alerts/history */
export const HISTORY_QUERY = {
  zone,
  from: instantParam(
    'Earliest event time (inclusive): ISO-8601 (a date, or a date-time with Z or an offset) or ' +
      'epoch milliseconds. Default: 24 hours before to.',
  ),
  to: instantParam(
    'Latest event time (exclusive), same formats. Default: now. Must be after from.',
  ),
  limit: integerParam({
    description: 'Most records in the page, ordered by event time then event_id.',
    min: 1,
    max: MAX_LIMIT,
    default: 1_000,
  }),
  after: textParam({
    description:
      'Keyset cursor: the event_id of the last record of the previous page; the page holds the ' +
      'records after it in (event_time, event_id) order, within the same from, to and zone. The ' +
      'Link header (rel="next") of a page that is not the last gives the next page\'s URL.',
    maxLength: MAX_ID_LENGTH,
  }),
} satisfies QuerySpec;

export type OpenQuery = QueryValues<typeof OPEN_QUERY>;
export type HistoryQuery = QueryValues<typeof HISTORY_QUERY>;

/** A page of the history: zone, event-time range [from, to), size, and the cursor. */
export interface HistoryRequest {
  zone?: string;
  from: Date;
  to: Date;
  limit: number;
  after?: string;
}

/** The history request of a checked query: the last 24 hours up to now unless told otherwise. */
export function historyRequest(q: HistoryQuery, now: number = Date.now()): HistoryRequest {
  const to = q.to ?? new Date(now + 1);
  const from = q.from ?? new Date(to.getTime() - DAY_MS);
  if (to.getTime() <= from.getTime()) invalid('query', 'to', 'to must be after from');
  return {
    ...(q.zone !== undefined && { zone: q.zone }),
    from,
    to,
    limit: q.limit,
    ...(q.after !== undefined && { after: q.after }),
  };
}

/** An alert id from the path: not empty, not longer than MAX_ID_LENGTH (it is `rule|subject|time`). */
export function alertIdParam(raw: string): string {
  if (raw.trim() === '') invalid('path', 'alertId', 'alertId is empty');
  const control = controlCharacterProblem('alertId', raw);
  if (control) invalid('path', 'alertId', control);
  if (raw.length > MAX_ID_LENGTH)
    invalid('path', 'alertId', `alertId is longer than ${MAX_ID_LENGTH} characters`);
  return raw;
}

/** The body of POST /alerts/:alertId/ack: nothing, or {"by": "<who>"}; anything else is refused. */
export function acknowledgedBy(body: unknown): string {
  if (body === undefined || body === null) return 'anonymous';
  if (typeof body !== 'object' || Array.isArray(body))
    invalid('body', 'body', 'the body must be a JSON object like {"by": "operator-7"}');
  const fields = Object.keys(body);
  for (const f of fields.filter((k) => k !== 'by'))
    invalid('body', f, `unknown body field "${f}" (the body takes by)`);
  const by = (body as { by?: unknown }).by;
  if (by === undefined) return 'anonymous';
  if (typeof by !== 'string' || by.trim() === '' || by.length > 200)
    invalid('body', 'by', 'by must be a non-empty string of at most 200 characters');
  const control = controlCharacterProblem('by', by);
  if (control) invalid('body', 'by', control);
  return by.trim();
}
