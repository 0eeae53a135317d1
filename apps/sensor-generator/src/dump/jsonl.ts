import type { GeneratedRecord } from '../faults/fault-injector';

const NUMERIC_FIELDS = ['event_time', 'speed', 'vehicle_count', 'occupancy_pct'] as const;

/**
 * One dump line per sent record. Non-finite numbers (a NaN speed) are written as the strings
 * "NaN", "Infinity", "-Infinity" because JSON has no such numbers; broken Avro goes as base64.
 */
export function toJsonLine(record: GeneratedRecord): string {
  if (record.kind === 'bytes') {
    const { bytes, ...rest } = record;
    return JSON.stringify({ ...rest, bytes_base64: bytes.toString('base64') });
  }
  return JSON.stringify(record, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
  );
}

/** The inverse of toJsonLine. */
export function fromJsonLine(line: string): GeneratedRecord {
  const parsed = JSON.parse(line) as Record<string, unknown>;
  if (parsed.kind === 'bytes') {
    const { bytes_base64, ...rest } = parsed;
    return { ...rest, bytes: Buffer.from(String(bytes_base64), 'base64') } as GeneratedRecord;
  }
  const value = parsed.value as Record<string, unknown>;
  for (const k of NUMERIC_FIELDS) {
    const v = value[k];
    if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') value[k] = Number(v);
  }
  return parsed as GeneratedRecord;
}
