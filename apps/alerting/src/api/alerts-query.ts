/** The query parameters of the alerts REST API, checked. */

export class BadQueryError extends Error {
  override readonly name = 'BadQueryError';
}

export const MAX_LIMIT = 5_000;
const DAY_MS = 86_400_000;

function one(name: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new BadQueryError(`${name} must be given once`);
  return v.trim() === '' ? undefined : v.trim();
}

function instant(name: string, raw: string): Date {
  const d = /^\d+$/.test(raw) ? new Date(Number(raw)) : new Date(raw);
  if (Number.isNaN(d.getTime()))
    throw new BadQueryError(
      `${name} must be an ISO-8601 date-time or epoch milliseconds, got "${raw}"`,
    );
  return d;
}

function limitOf(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT)
    throw new BadQueryError(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  return n;
}

/** GET /alerts/open?zone=&limit= */
export function parseOpenQuery(q: Record<string, unknown>): { zone?: string; limit: number } {
  const zone = one('zone', q.zone);
  return { ...(zone && { zone }), limit: limitOf(one('limit', q.limit), 500) };
}

/**
 * GET /alerts/history?zone=&from=&to=&limit= — from (inclusive) and to (exclusive) bound the
 * event time; without them, the last 24 hours up to now.
 */
export function parseHistoryQuery(
  q: Record<string, unknown>,
  now: number = Date.now(),
): { zone?: string; from: Date; to: Date; limit: number } {
  const zone = one('zone', q.zone);
  const toRaw = one('to', q.to);
  const fromRaw = one('from', q.from);
  const to = toRaw === undefined ? new Date(now + 1) : instant('to', toRaw);
  const from = fromRaw === undefined ? new Date(to.getTime() - DAY_MS) : instant('from', fromRaw);
  if (to.getTime() <= from.getTime()) throw new BadQueryError('to must be after from');
  return { ...(zone && { zone }), from, to, limit: limitOf(one('limit', q.limit), 1_000) };
}
