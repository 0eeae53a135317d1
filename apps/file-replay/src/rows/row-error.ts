import { InvalidRecordError } from '@citypulse/kafka';

/**
 * Why a row of a file cannot be replayed: it is not CSV / JSON, or it does not fit the stream's
 * raw contract. `field` is the path of the offending field when there is one. It is libs/kafka's
 * InvalidRecordError, so its DLQ headers carry the code every other reject carries.
 */
export class RowError extends InvalidRecordError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(field === undefined ? message : `${field}: ${message}`);
    this.name = 'RowError';
  }
}

/** A value as it appears in an error message: strings quoted, long ones cut. */
export function shown(v: unknown): string {
  const s =
    v === undefined
      ? 'nothing'
      : typeof v === 'number' || typeof v === 'bigint'
        ? String(v) // NaN, Infinity: JSON would say null
        : (JSON.stringify(v) ?? typeof v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
