import { InvalidRequestError, type Problem } from './problems';

/**
 * The query parameters of a route, declared once: `parseQuery` checks a request's query string
 * against the declaration, and `ValidQuery` (decorators.ts) documents the same declaration in the
 * OpenAPI document. Strict: a parameter the route does not take, one given twice, one with
 * brackets (`from[$gt]=1`, `ids[]=a`: no nested objects or arrays), an empty one or one of the
 * wrong type is a 400 naming it — nothing is silently ignored.
 */

/** An instant: ISO-8601 (a date, or a date-time with a zone) or epoch milliseconds. */
export interface InstantParam {
  readonly kind: 'instant';
  readonly description: string;
}

/** A whole number within [min, max]. */
export interface IntegerParam {
  readonly kind: 'integer';
  readonly description: string;
  readonly min: number;
  readonly max: number;
  readonly default?: number;
}

/** Text of at most maxLength characters (after trimming), optionally made canonical. */
export interface TextParam {
  readonly kind: 'text';
  readonly description: string;
  readonly maxLength: number;
  readonly example?: string;
  /** e.g. ids trimmed and upper-cased like they are stored */
  readonly canonical?: (value: string) => string;
}

export type QueryParam = InstantParam | IntegerParam | TextParam;
export type QuerySpec = Readonly<Record<string, QueryParam>>;

type ValueOf<P extends QueryParam> = P extends InstantParam
  ? Date
  : P extends IntegerParam
    ? number
    : string;

/** What parseQuery returns: each parameter's value; a parameter with a default is always there. */
export type QueryValues<Q extends QuerySpec> = {
  [K in keyof Q as Q[K] extends { default: number } ? K : never]: ValueOf<Q[K]>;
} & {
  [K in keyof Q as Q[K] extends { default: number } ? never : K]?: ValueOf<Q[K]>;
};

export function instantParam(description: string): InstantParam {
  return { kind: 'instant', description };
}

export function integerParam<P extends Omit<IntegerParam, 'kind'>>(p: P): P & { kind: 'integer' } {
  return { ...p, kind: 'integer' };
}

export function textParam(p: Omit<TextParam, 'kind'>): TextParam {
  return { ...p, kind: 'text' };
}

/** The query string of a request URL (`/a/b?x=1` → `x=1`); '' without one. */
export function queryStringOf(url: string): string {
  const i = url.indexOf('?');
  return i < 0 ? '' : url.slice(i + 1);
}

/**
 * Checks a query string (without the `?`) against a route's declaration; throws an
 * InvalidRequestError listing every problem, each naming its parameter. Works on the raw string,
 * so what it accepts does not depend on the HTTP framework's query parser.
 */
export function parseQuery<Q extends QuerySpec>(queryString: string, spec: Q): QueryValues<Q> {
  const given = new Map<string, string[]>();
  for (const [key, value] of new URLSearchParams(queryString)) {
    given.set(key, [...(given.get(key) ?? []), value]);
  }
  const problems: Problem[] = [];
  const values: Record<string, unknown> = {};
  const problem = (parameter: string, message: string) =>
    problems.push({ in: 'query', parameter, message });
  const known = Object.keys(spec);
  const takes =
    known.length === 0
      ? 'this route takes no query parameters'
      : `this route takes ${known.join(', ')}`;

  for (const [key, raw] of given) {
    if (key === '') {
      problem(key, 'a query parameter without a name');
      continue;
    }
    const bracket = key.search(/[[\]]/);
    if (bracket >= 0) {
      const base = key.slice(0, bracket);
      problem(
        key,
        `query parameter "${key}": brackets are not accepted (no nested objects or arrays)` +
          (Object.hasOwn(spec, base) ? `; give ${base}=<value> once` : `; ${takes}`),
      );
      continue;
    }
    if (!Object.hasOwn(spec, key)) {
      problem(key, `unknown query parameter "${key}" (${takes})`);
      continue;
    }
    if (raw.length > 1) {
      problem(key, `query parameter "${key}" is given ${raw.length} times; give it once`);
      continue;
    }
    try {
      values[key] = parseValue(key, spec[key], raw[0]);
    } catch (e) {
      if (!(e instanceof ParamError)) throw e;
      problem(key, e.message);
    }
  }
  if (problems.length > 0) throw new InvalidRequestError(problems);
  for (const [key, p] of Object.entries(spec)) {
    if (p.kind === 'integer' && p.default !== undefined && !(key in values))
      values[key] = p.default;
  }
  return values as QueryValues<Q>;
}

class ParamError extends Error {}

/**
 * A control character (Unicode's Cc: U+0000-U+001F, U+007F-U+009F), as `%00` or `%0A` in a URL: no
 * id, name or instant holds one, and PostgreSQL cannot even compare text with a NUL (the query would
 * fail with a 500).
 */
const CONTROL_CHARACTER = /\p{Cc}/u;

/** The problem with a text parameter (query or path) holding a control character, or undefined. */
export function controlCharacterProblem(name: string, text: string): string | undefined {
  return CONTROL_CHARACTER.test(text)
    ? `${name} contains a control character (such as %00 or %0A)`
    : undefined;
}

function parseValue(name: string, p: QueryParam, raw: string): unknown {
  const text = raw.trim();
  if (text === '') throw new ParamError(`query parameter "${name}" is empty`);
  const control = controlCharacterProblem(name, text);
  if (control) throw new ParamError(control);
  switch (p.kind) {
    case 'integer': {
      const n = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(n) || n < p.min || n > p.max)
        throw new ParamError(`${name} must be an integer from ${p.min} to ${p.max}, got "${raw}"`);
      return n;
    }
    case 'instant':
      return parseInstant(name, raw);
    case 'text': {
      if (text.length > p.maxLength)
        throw new ParamError(`${name} is longer than ${p.maxLength} characters`);
      return p.canonical ? p.canonical(text) : text;
    }
  }
}

/** yyyy-mm-dd, or with a time and a zone: 2026-01-05T08:00:00Z, 2026-01-05T08:00:00.250+01:00. */
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** Latest instant a JavaScript Date holds. */
const MAX_EPOCH_MS = 8.64e15;

/**
 * An ISO-8601 date (midnight UTC) or date-time with a zone, or epoch milliseconds; refuses what
 * Date would silently roll over (February 30th, 24:00) and a date-time without a zone (whose
 * meaning would depend on the server's time zone).
 */
function parseInstant(name: string, raw: string): Date {
  const text = raw.trim();
  const fail = (hint = ''): never => {
    throw new ParamError(
      `${name} must be an ISO-8601 date or date-time with a zone (2026-01-05, ` +
        `2026-01-05T08:00:00Z) or epoch milliseconds, got "${raw}"${hint}`,
    );
  };
  if (/^\d{1,16}$/.test(text)) {
    const ms = Number(text);
    if (ms > MAX_EPOCH_MS) fail();
    return new Date(ms);
  }
  const m = ISO_8601.exec(text);
  if (!m) {
    // a `+` in a query string is a space: 08:00:00+01:00 arrives as "08:00:00 01:00"
    return fail(/ \d{2}:\d{2}$/.test(text) ? ' (write a + as %2B in a URL)' : '');
  }
  const [, y, mo, d, h = '0', mi = '0', s = '0', zone] = m;
  if (m[4] !== undefined && zone === undefined) fail(' (a date-time needs Z or an offset)');
  const daysInMonth = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate();
  if (
    Number(mo) < 1 ||
    Number(mo) > 12 ||
    Number(d) < 1 ||
    Number(d) > daysInMonth ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  )
    fail();
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) fail();
  return date;
}
