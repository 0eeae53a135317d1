import {
  schemaOf,
  STREAM_DEFINITIONS,
  type StreamDefinition,
  type StreamName,
  type ValueOf,
} from '@citypulse/contracts';
import { CITY_GAUGES, isCityGauge, type CityGaugeName } from '@citypulse/observability';

/**
 * One spec per aggregate topic: what the sink needs to know about an aggregate beyond its contract.
 * The contract (libs/contracts: the .avsc and topics.json) gives the fields, their types and the
 * key; the spec adds the one name the aggregate goes by in the sink (table, collection, route,
 * metrics), its window length and what is impossible about its figures. Everything else — mapping
 * and validation, the MongoDB document, the PostgreSQL statement, the REST routes — is generic
 * code over these specs (specs.ts lists them).
 */

/** The contract streams on an aggregate topic (`agg.*`); specs.ts must have a spec for each. */
export type AggregateStream = {
  [S in StreamName]: StreamDefinition<S>['topic'] extends `agg.${string}` ? S : never;
}[StreamName];

/** A key field of an aggregate's topic (topics.json), window_start among them. */
export type KeyField<S extends AggregateStream> = StreamDefinition<S>['keyFields'][number];

/** The key fields that name a series of windows (a zone, a line...): the key without window_start. */
export type SeriesField<S extends AggregateStream> = Exclude<KeyField<S>, 'window_start'>;

/** Contract fields that are epoch millis: Dates in both stores, ISO-8601 text in the REST API. */
export const TIME_FIELDS = ['window_start', 'window_end', 'updated_at'] as const;
export type TimeField = (typeof TIME_FIELDS)[number];

/** The version: the job raises it with every update of a window, and the newest wins. */
export const VERSION_FIELD = 'updated_at';

/** Contract fields the sink does not store: event_time is window_end (contract rule). */
export const UNSTORED_FIELDS: readonly string[] = ['event_time'];

/** Number fields of a contract besides its times. */
export type FigureField<S extends AggregateStream> = {
  [K in keyof ValueOf<S>]-?: K extends TimeField | 'event_time'
    ? never
    : ValueOf<S>[K] extends number | null
      ? K
      : never;
}[keyof ValueOf<S>];

/** Contract fields that may feed a city gauge: a figure or an enum, not the key, times or ids. */
export type GaugeField<S extends AggregateStream> = Exclude<
  keyof ValueOf<S> & string,
  KeyField<S> | TimeField | 'event_time' | 'event_id'
>;

/**
 * A figure of the newest window of each series, set on a city gauge (libs/observability's
 * CITY_GAUGES) labelled by the series: a number is the gauge's value; an enum is a state set, one
 * series per symbol labelled with the field's name, 1 for the window's symbol and 0 for the others.
 */
export interface GaugeBinding {
  readonly field: string;
  readonly gauge: CityGaugeName;
  readonly kind: 'value' | 'state';
  /** the enum's symbols, for a state set */
  readonly symbols: readonly string[];
}

/** How a contract field is checked and stored. */
export type ColumnKind = 'text' | 'enum' | 'double' | 'integer' | 'time' | 'boolean';

/** PostgreSQL type of a column, as the statements cast to it. */
export type PgType = 'text' | 'float8' | 'bigint' | 'int' | 'timestamptz' | 'boolean';

/** One stored field: a contract field (snake_case, the Avro name) with its kind and column type. */
export interface Column {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly pg: PgType;
  /** an Avro union with null (how fields added later to a contract come) */
  readonly nullable: boolean;
  /** the enum's symbols, for an enum */
  readonly symbols?: readonly string[];
}

/** A MongoDB index of a collection (besides `_id`, which is the Kafka key). */
export interface MongoIndexSpec {
  readonly name: string;
  readonly key: Readonly<Record<string, 1 | -1>>;
  readonly unique?: boolean;
}

/** What a spec says beyond the contract. */
export interface AggregateSpecInput<S extends AggregateStream> {
  readonly stream: S;
  /**
   * The one name of the aggregate: PostgreSQL table, MongoDB collection, REST route
   * (`/<name>/...`) and the `kind` label of the sink's metrics; the same as the Spark job's name
   * for it (its gold table, spark/citypulse_spark/aggregates.py), e.g. `transport_line_10m`.
   */
  readonly name: string;
  /** The contract's window length; a window of another length is impossible. */
  readonly windowMs: number;
  /** Path segment before each series field in `GET /<name>/<segment>/<value>/.../windows`. */
  readonly pathSegments: { readonly [F in SeriesField<S>]: string };
  /** Figures that may be negative (every other number must be >= 0). */
  readonly signed?: readonly FigureField<S>[];
  /** Figures that are percentages, 0-100. */
  readonly percent?: readonly FigureField<S>[];
  /** Impossible combinations of figures: each returns the problem, or undefined. */
  readonly checks?: readonly ((record: ValueOf<S>) => string | undefined)[];
  /**
   * The city gauges the newest window of each series feeds (field -> gauge); their labels are the
   * series fields (zone_id -> `zone`, line_id -> `line`, severity, priority: SERIES_LABEL), and an
   * enum's own name for a state set.
   */
  readonly gauges?: { readonly [F in GaugeField<S>]?: CityGaugeName };
  /**
   * Names from before the one-name rule, kept because readers (dashboards, e2e, the demo) use
   * them: the table, the collection and its indexes.
   */
  readonly legacy?: {
    readonly table: string;
    readonly collection: string;
    readonly mongoIndexes: readonly MongoIndexSpec[];
  };
}

/** An aggregate as the sink's generic code sees it. */
export interface AggregateSpec<S extends AggregateStream = AggregateStream> {
  readonly stream: S;
  readonly name: string;
  readonly topic: string;
  /** The topic's key fields (topics.json): the primary key, the unique index, the `_id`. */
  readonly keyFields: readonly string[];
  /** The key fields without window_start, in key order. */
  readonly seriesFields: readonly string[];
  readonly pathSegments: Readonly<Record<string, string>>;
  readonly version: typeof VERSION_FIELD;
  readonly windowMs: number;
  readonly table: string;
  readonly collection: string;
  readonly route: string;
  /** The contract's fields in contract order, without UNSTORED_FIELDS. */
  readonly columns: readonly Column[];
  readonly signed: ReadonlySet<string>;
  readonly percent: ReadonlySet<string>;
  readonly mongoIndexes: readonly MongoIndexSpec[];
  /** Gauge label of each series field (SERIES_LABEL). */
  readonly seriesLabels: Readonly<Record<string, string>>;
  /** The city gauges its windows feed (CityGauges, apps/aggregation-sink/src/infra). */
  readonly gauges: readonly GaugeBinding[];
  /** The spec's own checks of a record (beyond what the column types say), as problem sentences. */
  crossChecks(record: ValueOf<S>): string[];
}

const IDENTIFIER = /^[a-z][a-z0-9_]*$/;

/** The gauge label of a series field: its name without `_id` (zone_id -> zone, priority -> priority). */
export const SERIES_LABEL = (field: string): string => field.replace(/_id$/, '');

/** Builds a spec from its contract and what the input adds; throws when they do not fit. */
export function defineAggregate<S extends AggregateStream>(
  input: AggregateSpecInput<S>,
): AggregateSpec<S> {
  const def = STREAM_DEFINITIONS[input.stream];
  const columns = columnsOf(schemaOf(input.stream));
  const keyFields: readonly string[] = def.keyFields;
  const fail = (why: string): never => {
    throw new Error(`aggregate spec ${input.name} (${input.stream}): ${why}`);
  };
  const columnNamed = (name: string): Column | undefined => columns.find((c) => c.name === name);

  if (keyFields.at(-1) !== 'window_start') fail('the topic key must end with window_start');
  const seriesFields = keyFields.slice(0, -1);
  for (const f of seriesFields) {
    const c = columnNamed(f);
    if (!c || (c.kind !== 'text' && c.kind !== 'enum') || c.nullable)
      fail(`key field ${f} must be a non-null string or enum`);
  }
  for (const f of TIME_FIELDS) {
    if (columnNamed(f)?.kind !== 'time' || columnNamed(f)?.nullable)
      fail(`${f} must be a timestamp-millis`);
  }
  const pathSegments: Readonly<Record<string, string>> = input.pathSegments;
  const table = input.legacy?.table ?? input.name;
  const collection = input.legacy?.collection ?? input.name;
  for (const id of [
    input.name,
    table,
    collection,
    ...columns.map((c) => c.name),
    ...Object.values(pathSegments),
  ]) {
    if (!IDENTIFIER.test(id)) fail(`"${id}" is not a lower-case identifier`);
  }
  if (Object.keys(pathSegments).sort().join() !== [...seriesFields].sort().join())
    fail(`pathSegments must name exactly the series fields ${seriesFields.join(', ')}`);
  if (!Number.isSafeInteger(input.windowMs) || input.windowMs <= 0)
    fail('windowMs must be a positive integer');

  const seriesLabels = Object.fromEntries(seriesFields.map((f) => [f, SERIES_LABEL(f)]));
  const gauges = Object.entries(input.gauges ?? {}).map(([field, gauge]): GaugeBinding => {
    const c = columnNamed(field);
    if (typeof gauge !== 'string' || !isCityGauge(gauge))
      return fail(`gauge ${String(gauge)} of ${field} is not in libs/observability's CITY_GAUGES`);
    if (!c || seriesFields.includes(field) || c.kind === 'time' || c.kind === 'text')
      return fail(`gauge ${gauge}: ${field} is not a figure or an enum of the contract`);
    const kind = c.kind === 'enum' ? 'state' : 'value';
    const labels = [...Object.values(seriesLabels), ...(kind === 'state' ? [field] : [])];
    const declared: readonly string[] = CITY_GAUGES[gauge].labels;
    if ([...declared].sort().join() !== [...labels].sort().join())
      fail(
        `gauge ${gauge} is labelled {${declared.join(',')}}, the series need {${labels.join(',')}}`,
      );
    return { field, gauge, kind, symbols: c.symbols ?? [] };
  });

  const checks = input.checks ?? [];
  return {
    stream: input.stream,
    name: input.name,
    topic: def.topic,
    keyFields,
    seriesFields,
    pathSegments,
    version: VERSION_FIELD,
    windowMs: input.windowMs,
    table,
    collection,
    route: input.name,
    columns,
    signed: new Set<string>(input.signed as readonly string[] | undefined),
    percent: new Set<string>(input.percent as readonly string[] | undefined),
    mongoIndexes: input.legacy?.mongoIndexes ?? [
      {
        name: 'key_unique',
        key: Object.fromEntries(keyFields.map((f) => [f, 1 as const])),
        unique: true,
      },
    ],
    seriesLabels,
    gauges,
    crossChecks: (record) => checks.flatMap((check) => check(record) ?? []),
  };
}

/** The stored columns of a contract's record schema (the parsed .avsc), in field order. */
export function columnsOf(schema: unknown): Column[] {
  if (!isObject(schema) || schema.type !== 'record' || !Array.isArray(schema.fields))
    throw new Error('an aggregate contract must be an Avro record');
  return (schema.fields as unknown[]).flatMap((field): Column[] => {
    if (!isObject(field) || typeof field.name !== 'string')
      throw new Error('an Avro field without a name');
    if (UNSTORED_FIELDS.includes(field.name)) return [];
    return [columnOf(field.name, field.type)];
  });
}

function columnOf(name: string, avroType: unknown): Column {
  let type = avroType;
  let nullable = false;
  if (Array.isArray(type)) {
    const others = type.filter((t) => t !== 'null');
    if (type.length !== 2 || others.length !== 1)
      throw new Error(`field ${name}: only a union of null and one type is supported`);
    nullable = true;
    type = others[0];
  }
  const of = (kind: ColumnKind, pg: PgType, symbols?: readonly string[]): Column => ({
    name,
    kind,
    pg,
    nullable,
    ...(symbols && { symbols }),
  });
  if (isObject(type)) {
    if (type.type === 'long' && type.logicalType === 'timestamp-millis')
      return of('time', 'timestamptz');
    if (type.type === 'enum' && Array.isArray(type.symbols))
      return of('enum', 'text', type.symbols as string[]);
    // {"type": "double"} is "double"; other logical types are not supported
    if (type.logicalType === undefined) type = type.type;
  }
  switch (type) {
    case 'string':
      return of('text', 'text');
    case 'double':
    case 'float':
      return of('double', 'float8');
    case 'long':
      return of('integer', 'bigint');
    case 'int':
      return of('integer', 'int');
    case 'boolean':
      return of('boolean', 'boolean');
    default:
      throw new Error(`field ${name}: Avro type ${JSON.stringify(avroType)} is not supported`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
