/** A record stamped further in the future than this is a clock or device fault. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** Reasons every stream shares: the envelope (event id and time) each contract carries. */
export const ENVELOPE_REJECT_REASONS = [
  'missing_event_id',
  'invalid_event_time',
  'event_time_in_future',
] as const;
export type EnvelopeRejectReason = (typeof ENVELOPE_REJECT_REASONS)[number];

export interface Rejection<Reason extends string> {
  ok: false;
  reason: Reason;
  message: string;
}

export function reject<Reason extends string>(reason: Reason, message: string): Rejection<Reason> {
  return { ok: false, reason, message };
}

/** The runtime's own reject reason, for every stream (not in any stream's list). */
export type RuntimeRejectReason = 'text_with_nul';

/**
 * A text field holding U+0000: PostgreSQL's text cannot store it (FerretDB takes it), so such a
 * value would fail every write downstream that stores it (the alerts' messages, the aggregates'
 * names) on every retry. The batch decision (batch-decision.ts) checks every record's top-level
 * text fields with this before the stream's normalize function, for every stream alike, so the
 * reason is the runtime's and in no stream's list; returns the rejection naming the first field.
 */
export function checkNoNul(raw: object): Rejection<RuntimeRejectReason> | undefined {
  const fields = raw as Record<string, unknown>;
  for (const name in fields) {
    const v = fields[name];
    if (typeof v === 'string' && v.includes('\u0000')) {
      return reject('text_with_nul', `${name} contains a NUL character (U+0000)`);
    }
  }
  return undefined;
}

/** The event id, trimmed, must not be empty (it is what the dedup and Spark key on). */
export function checkEventId(raw: { event_id: string }): Rejection<'missing_event_id'> | undefined {
  return raw.event_id.trim() ? undefined : reject('missing_event_id', 'event_id is empty');
}

/** The event time must be a positive epoch-millis integer, at most now + 5 min. */
export function checkEventTime(
  raw: { event_time: number },
  now: number,
): Rejection<'invalid_event_time' | 'event_time_in_future'> | undefined {
  if (!Number.isSafeInteger(raw.event_time) || raw.event_time <= 0) {
    return reject(
      'invalid_event_time',
      `event_time ${raw.event_time} is not a positive epoch millis`,
    );
  }
  if (raw.event_time > now + MAX_CLOCK_SKEW_MS) {
    return reject(
      'event_time_in_future',
      `event_time ${new Date(raw.event_time).toISOString()} is more than 5 min after now (${new Date(now).toISOString()})`,
    );
  }
  return undefined;
}

/**
 * WGS84 coordinates: finite, latitude in -90..90, longitude in -180..180, and not exactly
 * (0, 0) — the "null island" a receiver without a fix reports. Returns a problem or undefined.
 */
export function coordinatesProblem(latitude: number, longitude: number): string | undefined {
  if (!(Number.isFinite(latitude) && latitude >= -90 && latitude <= 90)) {
    return `latitude ${latitude} is outside -90..90`;
  }
  if (!(Number.isFinite(longitude) && longitude >= -180 && longitude <= 180)) {
    return `longitude ${longitude} is outside -180..180`;
  }
  if (latitude === 0 && longitude === 0) return 'coordinates (0, 0) mean no position fix';
  return undefined;
}

/** A free-text field trimmed, null when nothing is left. */
export function optionalText(text: string | null): string | null {
  const t = text?.trim();
  return t ? t : null;
}

/** Event id, then event time: the envelope every contract carries. */
export function checkEnvelope(
  raw: { event_id: string; event_time: number },
  now: number,
): Rejection<EnvelopeRejectReason> | undefined {
  return checkEventId(raw) ?? checkEventTime(raw, now);
}
