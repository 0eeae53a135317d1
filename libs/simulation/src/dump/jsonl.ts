import type { EventLike, SimRecord } from '../faults/records';

/**
 * One dump line per sent record. Non-finite numbers (a NaN speed) are written as the strings
 * "NaN", "Infinity", "-Infinity" because JSON has no such numbers; broken Avro goes as base64.
 */
export function toJsonLine(record: SimRecord<unknown> & object): string {
  if (record.kind === 'bytes') {
    const { bytes, ...rest } = record;
    return JSON.stringify({ ...rest, bytes_base64: bytes.toString('base64') });
  }
  return JSON.stringify(record, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
  );
}

/**
 * The inverse of toJsonLine. `numericFields` names the value's number fields (they may hold
 * "NaN"...); a function picks them per record, e.g. by the record's stream.
 */
export function fromJsonLine<R extends SimRecord<EventLike, string>>(
  line: string,
  numericFields: readonly string[] | ((record: Record<string, unknown>) => readonly string[]),
): R {
  const parsed = JSON.parse(line) as Record<string, unknown>;
  if (parsed.kind === 'bytes') {
    const { bytes_base64, ...rest } = parsed;
    return { ...rest, bytes: Buffer.from(String(bytes_base64), 'base64') } as unknown as R;
  }
  const value = parsed.value as Record<string, unknown>;
  const fields = typeof numericFields === 'function' ? numericFields(parsed) : numericFields;
  for (const k of fields) {
    const v = value[k];
    if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') value[k] = Number(v);
  }
  return parsed as unknown as R;
}
