/** The query parameters of GET /<route>/.../windows, checked. */
export interface TimeRange {
  from: Date;
  to: Date;
  limit: number;
}

export const DEFAULT_LIMIT = 288; // a day of 5-minute windows
export const DAY_MS = 86_400_000;
export const MAX_LIMIT = 5_000;

export class BadQueryError extends Error {
  override readonly name = 'BadQueryError';
}

/** An ISO-8601 date-time or epoch milliseconds. */
export function parseInstant(name: string, raw: string): Date {
  const text = raw.trim();
  const d = /^\d+$/.test(text) ? new Date(Number(text)) : new Date(text);
  if (text === '' || Number.isNaN(d.getTime())) {
    throw new BadQueryError(
      `${name} must be an ISO-8601 date-time or epoch milliseconds, got "${raw}"`,
    );
  }
  return d;
}

/**
 * from (inclusive) and to (exclusive) bound window_start. Without `to`, there is no upper bound;
 * without `from`, no lower bound; `limit` caps the answer (default a day of windows).
 */
export function parseTimeRange(
  q: { from?: unknown; to?: unknown; limit?: unknown },
  defaultLimit = DEFAULT_LIMIT,
): TimeRange {
  const str = (name: string, v: unknown): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new BadQueryError(`${name} must be given once`);
    return v;
  };
  const fromRaw = str('from', q.from);
  const toRaw = str('to', q.to);
  const limitRaw = str('limit', q.limit);
  const from = fromRaw === undefined ? new Date(0) : parseInstant('from', fromRaw);
  const to = toRaw === undefined ? new Date(8.64e15) : parseInstant('to', toRaw);
  if (to.getTime() <= from.getTime()) throw new BadQueryError('to must be after from');
  let limit = defaultLimit;
  if (limitRaw !== undefined) {
    limit = Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new BadQueryError(`limit must be an integer from 1 to ${MAX_LIMIT}`);
    }
  }
  return { from, to, limit };
}
