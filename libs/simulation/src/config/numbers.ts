import { z } from 'zod';

const blank = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A decimal number within [min, max] from an environment variable; unset or empty = default. */
export function decimal(opts: { min?: number; max?: number; default?: number } = {}) {
  const min = opts.min ?? -Infinity;
  const max = opts.max ?? Infinity;
  const s = z
    .string()
    .trim()
    .refine((v) => /^-?\d+(\.\d+)?$/.test(v) && Number(v) >= min && Number(v) <= max, {
      message: `expected a number${Number.isFinite(min) ? ` from ${min}` : ''}${Number.isFinite(max) ? ` to ${max}` : ''}`,
    })
    .transform(Number)
    .optional();
  return z.preprocess(
    blank,
    s.transform((v) => v ?? opts.default),
  );
}

/** Events per second: a positive number, or `max` / `0` for as fast as possible (Infinity). */
export function rate() {
  return z.preprocess(
    blank,
    z
      .string()
      .trim()
      .toLowerCase()
      .refine((v) => v === 'max' || (/^\d+(\.\d+)?$/.test(v) && Number.isFinite(Number(v))), {
        message: 'expected events per second, or max (or 0) for as fast as possible',
      })
      .transform((v) => (v === 'max' || Number(v) === 0 ? Infinity : Number(v)))
      .optional(),
  );
}
