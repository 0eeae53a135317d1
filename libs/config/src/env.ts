import { z } from 'zod';

/** Environment variables as Node gives them. */
export type EnvSource = Record<string, string | undefined>;

// An empty value (`KAFKA_SASL_MECHANISM=` in .env) means "not set", as in the env file's comments.
const blankToUndefined = (v: unknown): unknown =>
  typeof v === 'string' && v.trim() === '' ? undefined : v;

function present<T extends z.ZodTypeAny>(schema: T): z.ZodEffects<T, z.output<T>, unknown> {
  return z.preprocess(blankToUndefined, schema);
}

/** Field builders for environment variables: each treats an empty value as unset. */
export const env = {
  /** A required non-empty string (or the default). */
  string(opts: { default?: string } = {}) {
    const s = z.string({ required_error: 'required' }).trim().min(1, 'required');
    return present(opts.default === undefined ? s : s.default(opts.default));
  },

  /** Makes any field optional: undefined when unset or empty, e.g. env.optional(env.int()). */
  optional<T extends z.ZodTypeAny>(schema: T) {
    return z.preprocess(blankToUndefined, schema.optional());
  },

  /** An optional string: undefined when unset or empty. */
  optionalString() {
    return present(z.string().trim().optional());
  },

  /** true/false, 1/0, yes/no, on/off (case-insensitive). */
  bool(opts: { default?: boolean } = {}) {
    const s = z
      .string({ required_error: 'required' })
      .trim()
      .toLowerCase()
      .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), {
        message: 'expected true or false',
      })
      .transform((v) => ['true', '1', 'yes', 'on'].includes(v));
    return present(
      opts.default === undefined ? s : s.optional().transform((v) => v ?? opts.default!),
    );
  },

  /** An integer within [min, max]. */
  int(opts: { default?: number; min?: number; max?: number } = {}) {
    const min = opts.min ?? Number.MIN_SAFE_INTEGER;
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    const s = z
      .string({ required_error: 'required' })
      .trim()
      .refine((v) => /^-?\d+$/.test(v) && Number(v) >= min && Number(v) <= max, {
        message:
          opts.min !== undefined || opts.max !== undefined
            ? `expected an integer from ${min} to ${max}`
            : 'expected an integer',
      })
      .transform(Number);
    return present(
      opts.default === undefined ? s : s.optional().transform((v) => v ?? opts.default!),
    );
  },

  /** A TCP port, 0-65535 (0 = any free port). */
  port(opts: { default?: number } = {}) {
    return env.int({ ...opts, min: 0, max: 65535 });
  },

  /** A URL with one of the given protocols (without the colon), e.g. ['http', 'https']. */
  url(opts: { protocols?: string[]; default?: string } = {}) {
    const s = z
      .string({ required_error: 'required' })
      .trim()
      .refine(
        (v) => {
          try {
            const u = new URL(v);
            return !opts.protocols || opts.protocols.includes(u.protocol.replace(/:$/, ''));
          } catch {
            return false;
          }
        },
        { message: `expected a URL${opts.protocols ? ` (${opts.protocols.join(', ')})` : ''}` },
      );
    return present(opts.default === undefined ? s : s.default(opts.default));
  },

  /** A comma-separated list of non-empty items. */
  list(opts: { default?: string[]; min?: number } = {}) {
    const s = z
      .string({ required_error: 'required' })
      .transform((v) =>
        v
          .split(',')
          .map((i) => i.trim())
          .filter((i) => i !== ''),
      )
      .refine((v) => v.length >= (opts.min ?? 1), { message: 'expected a comma-separated list' });
    return present(
      opts.default === undefined ? s : s.optional().transform((v) => v ?? opts.default!),
    );
  },

  /** One of a closed set of values (compared case-insensitively, returned as listed). */
  oneOf<const T extends readonly [string, ...string[]]>(
    values: T,
    opts: { default?: T[number] } = {},
  ) {
    const s = z
      .string({ required_error: 'required' })
      .trim()
      .transform((v, ctx): T[number] => {
        for (const x of values as readonly T[number][]) {
          if (x.toLowerCase() === v.toLowerCase()) return x;
        }
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `expected one of ${values.join(', ')}`,
        });
        return z.NEVER;
      });
    return present(
      opts.default === undefined ? s : s.optional().transform((v) => v ?? opts.default!),
    );
  },
};
