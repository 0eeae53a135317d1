import type { StreamName } from '@citypulse/contracts';

/** The four streams of citypulse, by their normalizer worker's name (NORMALIZER_WORKER). */
export const FLOW_STREAMS = ['traffic', 'transport', 'incidents', 'tickets'] as const;
export type FlowStream = (typeof FLOW_STREAMS)[number];

/** One aggregate as each layer names it (one name per layer, all from the products' own tables). */
export interface FlowAggregate {
  /** the Spark job's name (aggregates.py, `--aggregates`) and its gold table under LAKE_DIR/gold */
  spark: string;
  /** the aggregate topic's contract (libs/contracts) */
  contract: StreamName;
  /** the aggregation-sink's route (`/<route>/latest`), MongoDB collection and PostgreSQL table */
  route: string;
  collection: string;
  table: string;
}

/** What a stream is made of, end to end: its topics, its worker, its aggregates, its producer. */
export interface FlowStreamSpec {
  name: FlowStream;
  raw: StreamName;
  normalized: StreamName;
  aggregates: readonly FlowAggregate[];
  /** the env variable of its normalizer's metrics port (.env.example) */
  normalizerPortVar: string;
  /** the app that simulates it */
  producer: 'sensor-generator' | 'ticket-producer';
}

/**
 * The table of streams. Names are the ones the services already use: the Spark job's
 * aggregates.py, the aggregation-sink's specs (a route, collection and table per aggregate; the
 * traffic ones keep their older names), topics.json's contract names.
 */
export const STREAM_SPECS: { readonly [S in FlowStream]: FlowStreamSpec } = {
  traffic: {
    name: 'traffic',
    raw: 'trafficRaw',
    normalized: 'trafficNormalized',
    aggregates: [
      {
        spark: 'traffic_zone_5m',
        contract: 'trafficByZone5m',
        route: 'traffic',
        collection: 'traffic_aggregations',
        table: 'traffic_window_aggregates',
      },
      {
        spark: 'mobility_index_5m',
        contract: 'mobilityIndex5m',
        route: 'mobility',
        collection: 'mobility_index',
        table: 'mobility_index',
      },
    ],
    normalizerPortVar: 'NORMALIZER_METRICS_PORT',
    producer: 'sensor-generator',
  },
  transport: {
    name: 'transport',
    raw: 'transportRaw',
    normalized: 'transportNormalized',
    aggregates: [same('transport_line_10m', 'transportByLine10m')],
    normalizerPortVar: 'NORMALIZER_TRANSPORT_METRICS_PORT',
    producer: 'sensor-generator',
  },
  incidents: {
    name: 'incidents',
    raw: 'incidentsRaw',
    normalized: 'incidentsNormalized',
    aggregates: [same('incidents_zone_15m', 'incidentsByZone15m')],
    normalizerPortVar: 'NORMALIZER_INCIDENTS_METRICS_PORT',
    producer: 'sensor-generator',
  },
  tickets: {
    name: 'tickets',
    raw: 'ticketsRaw',
    normalized: 'ticketsNormalized',
    aggregates: [same('tickets_priority_1m', 'ticketsByPriority1m')],
    normalizerPortVar: 'NORMALIZER_TICKETS_METRICS_PORT',
    producer: 'ticket-producer',
  },
};

/** An aggregate every layer calls by one name. */
function same(name: string, contract: StreamName): FlowAggregate {
  return { spark: name, contract, route: name, collection: name, table: name };
}

/** Every aggregate of the streams, in the table's order. */
export function aggregatesOf(streams: readonly FlowStream[]): FlowAggregate[] {
  return FLOW_STREAMS.filter((s) => streams.includes(s)).flatMap((s) => STREAM_SPECS[s].aggregates);
}

/** Every aggregate of every stream (the aggregation-sink consumes them all). */
export const ALL_AGGREGATES: readonly FlowAggregate[] = aggregatesOf(FLOW_STREAMS);

/**
 * Whether a Spark query works for a stream, judged by its name alone: it names the stream (bronze_
 * traffic) or one of its aggregates (gold_mobility_index_5m). The job names its queries after what
 * they read or compute; this holds for a layout of one query per stream as well.
 */
export function queryOfStream(query: string, stream: FlowStream): boolean {
  const words = [stream, ...STREAM_SPECS[stream].aggregates.map((a) => a.spark)];
  return words.some((w) => new RegExp(`(^|_)${w}($|_)`).test(query));
}

/** Parses a comma list of stream names, refusing unknown ones. */
export function parseStreams(text: string): FlowStream[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(FLOW_STREAMS as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0)
    throw new Error(`unknown streams '${text}'; choose from ${FLOW_STREAMS.join(',')}`);
  return FLOW_STREAMS.filter((s) => names.includes(s));
}
