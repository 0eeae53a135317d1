/**
 * The longest id a reading may carry. Ids become an alert's subject and alert id, which
 * PostgreSQL indexes (an index entry holds at most 2,704 bytes): a reading with a far longer id
 * (a hostile or broken producer on a normalized topic) would make an alert the store follower can
 * never write, retried and fatal again after every restart. Real ids are a few characters.
 */
export const MAX_ID_CHARS = 256;

/** A problem sentence when an `*_id` field of the reading is longer than MAX_ID_CHARS, else undefined. */
export function longIdProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (k.endsWith('_id') && typeof v === 'string' && v.length > MAX_ID_CHARS)
      return `${k} is ${v.length} characters long, more than ${MAX_ID_CHARS}`;
  }
  return undefined;
}
