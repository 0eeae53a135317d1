import type * as avro from 'avsc';
import { RowError, shown } from './row-error';

/** A field of an Avro record schema, as the .avsc file spells it. */
interface FieldSchema {
  name: string;
  type: avro.Schema;
  default?: unknown;
}

/** Turns a cell (CSV text) or a JSON value into the field's Avro value, or throws a RowError. */
type Convert = (raw: unknown, field: string) => unknown;

/** How a row's fields become a record of the contract. */
export interface RecordConverter {
  /** the record's fields in schema order (a CSV header must name each one without a default) */
  readonly fields: readonly string[];
  /** the fields a row may leave out: their schema default is used */
  readonly optional: ReadonlySet<string>;
  /**
   * The record from a row's named values: every field converted by its schema type, a missing
   * one given its default, an unknown one refused. `emptyIsNull`: an empty cell of a nullable
   * field is null (CSV has no other way to say it).
   */
  convert(row: Readonly<Record<string, unknown>>, opts: { emptyIsNull: boolean }): unknown;
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);
// A date, or a date-time with a zone: a date-time without one would be read in local time.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/**
 * A converter for an Avro record schema (a raw contract): typed conversion of text and JSON
 * values from the schema — integers and decimals (NaN / Infinity as the dumps write them),
 * booleans, enum symbols, nullable unions, and `timestamp-millis` longs given as epoch millis or
 * ISO-8601. Anything else (nested records, arrays, maps, other unions) is passed on as it is, for
 * the contract's own validation to judge.
 */
export function recordConverter(schema: avro.Schema): RecordConverter {
  const record = schema as { type?: unknown; fields?: FieldSchema[] };
  if (record.type !== 'record' || !Array.isArray(record.fields)) {
    throw new TypeError('expected an Avro record schema');
  }
  const named = new Map<string, avro.Schema>();
  const fields = record.fields.map((f) => ({
    name: f.name,
    convert: converterFor(f.type, named),
    hasDefault: 'default' in f,
    default: f.default,
  }));
  const known = new Set(fields.map((f) => f.name));
  const optional = new Set(fields.filter((f) => f.hasDefault).map((f) => f.name));
  return {
    fields: fields.map((f) => f.name),
    optional,
    convert(row, opts) {
      for (const name of Object.keys(row)) {
        if (!known.has(name)) throw new RowError('not a field of the contract', name);
      }
      const out: Record<string, unknown> = {};
      for (const f of fields) {
        const raw = row[f.name];
        if (raw === undefined) {
          if (!f.hasDefault) throw new RowError('missing', f.name);
          out[f.name] = f.default;
          continue;
        }
        out[f.name] = f.convert(emptyToNull(raw, opts.emptyIsNull, f.convert), f.name);
      }
      return out;
    },
  };
}

// Nullable converters take null; for CSV an empty cell means null, for JSON only null does.
const NULLABLE = new WeakSet<Convert>();

function emptyToNull(raw: unknown, emptyIsNull: boolean, convert: Convert): unknown {
  return emptyIsNull && raw === '' && NULLABLE.has(convert) ? null : raw;
}

function converterFor(type: avro.Schema, named: Map<string, avro.Schema>): Convert {
  if (Array.isArray(type)) {
    const others = type.filter((t) => t !== 'null');
    if (others.length === 1 && others.length < type.length) {
      const inner = converterFor(others[0], named);
      const nullable: Convert = (raw, field) => (raw === null ? null : inner(raw, field));
      NULLABLE.add(nullable);
      return nullable;
    }
    return (raw) => raw;
  }
  if (typeof type === 'string') {
    const seen = named.get(type);
    if (seen) return converterFor(seen, named);
    return primitive(type);
  }
  const t = type as { type: string; name?: string; namespace?: string; logicalType?: string };
  if (t.name) {
    named.set(t.name, type);
    if (t.namespace) named.set(`${t.namespace}.${t.name}`, type);
  }
  if (t.type === 'enum') return enumOf((type as { symbols: string[] }).symbols);
  if (t.type === 'long' && t.logicalType === 'timestamp-millis') return timestampMillis;
  if (typeof t.type === 'string' && t.type !== 'record' && !t.logicalType) return primitive(t.type);
  return (raw) => raw;
}

function primitive(name: string): Convert {
  switch (name) {
    case 'int':
    case 'long':
      return (raw, field) => {
        if (typeof raw !== 'string') return raw;
        if (!INTEGER.test(raw.trim()))
          throw new RowError(`expected an integer, got ${shown(raw)}`, field);
        return Number(raw.trim());
      };
    case 'float':
    case 'double':
      return (raw, field) => {
        if (typeof raw !== 'string') return raw;
        const s = raw.trim();
        if (!DECIMAL.test(s) && !NON_FINITE.has(s)) {
          throw new RowError(`expected a number, got ${shown(raw)}`, field);
        }
        return Number(s);
      };
    case 'boolean':
      return (raw, field) => {
        if (typeof raw !== 'string') return raw;
        const s = raw.trim().toLowerCase();
        if (s === 'true' || s === '1') return true;
        if (s === 'false' || s === '0') return false;
        throw new RowError(`expected true or false, got ${shown(raw)}`, field);
      };
    default:
      return (raw) => raw;
  }
}

function enumOf(symbols: readonly string[]): Convert {
  const known = new Set(symbols);
  return (raw, field) => {
    if (typeof raw !== 'string') return raw;
    const s = raw.trim();
    if (!known.has(s)) {
      throw new RowError(`expected one of ${symbols.join(', ')}, got ${shown(raw)}`, field);
    }
    return s;
  };
}

/** A timestamp-millis value: epoch millis (a number or its digits) or ISO-8601 with a zone. */
export function timestampMillis(raw: unknown, field: string): unknown {
  if (typeof raw !== 'string') return raw;
  const s = raw.trim();
  if (INTEGER.test(s)) return Number(s);
  const ms = ISO_8601.test(s) ? Date.parse(s) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new RowError(
      `expected epoch millis or an ISO-8601 time with a zone (2024-06-10T08:00:00Z), got ${shown(raw)}`,
      field,
    );
  }
  return ms;
}
