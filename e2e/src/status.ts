import { TOPICS } from '@citypulse/contracts';
import { httpJson } from './http';
import { byLabel, scrape, sum, type Sample } from './metrics';
import type { Pipeline } from './pipeline';
import { STREAM_SPECS, type FlowAggregate, type FlowStream } from './streams';

/** A window as the sink's REST API returns it (the aggregate contract's fields, times as ISO). */
export type RestWindow = Record<string, unknown> & { window_start: string; window_end: string };

/** What a person watching one stream wants to know. */
export interface StreamStatus {
  stream: FlowStream;
  /** records its producer sent to the raw topic */
  produced: number;
  normalized: number;
  rejected: number;
  rejectedByReason: Map<string, number>;
  dlq: number;
  duplicatesDropped: number;
  /** records Spark dropped as later than the watermark */
  sparkLate: number;
  /** per aggregate, the latest window of every series (zone, line, ...) */
  latest: Array<{ aggregate: FlowAggregate; windows: RestWindow[] }>;
}

/** The whole flow: each stream, from the services' /metrics and the sink's REST API. */
export interface FlowStatus {
  /** where the simulated clock stands (the newest record sent), epoch ms */
  simulatedTime?: number;
  streams: StreamStatus[];
}

/** The latest windows of an aggregate; the mobility route answers with the one window itself. */
export async function latestWindows(sinkApi: string, a: FlowAggregate): Promise<RestWindow[]> {
  const body = await httpJson<{ windows?: RestWindow[] } & Partial<RestWindow>>(
    `${sinkApi}/${a.route}/latest`,
  );
  if (!body) return [];
  if (Array.isArray(body.windows)) return body.windows;
  return body.window_start ? [body as RestWindow] : [];
}

function streamStatus(
  s: FlowStream,
  producers: Sample[],
  norm: Sample[] | undefined,
  spark: Sample[] | undefined,
  latest: StreamStatus['latest'],
): StreamStatus {
  return {
    stream: s,
    produced: sum(producers, 'citypulse_records_produced_total', {
      topic: TOPICS[STREAM_SPECS[s].raw],
    }),
    normalized: sum(norm, 'citypulse_normalizer_records_normalized_total'),
    rejected: sum(norm, 'citypulse_normalizer_records_rejected_total'),
    rejectedByReason: byLabel(norm, 'citypulse_normalizer_records_rejected_total', 'reason'),
    dlq: sum(norm, 'citypulse_dlq_records_total'),
    duplicatesDropped: sum(norm, 'citypulse_normalizer_duplicates_dropped_total'),
    sparkLate: sum(spark, 'citypulse_spark_stream_late_records_dropped_total', { stream: s }),
    latest,
  };
}

export async function flowStatus(p: Pipeline): Promise<FlowStatus> {
  const [gen, tickets, spark] = await Promise.all([
    scrape(`${p.urls.generatorMetrics}/metrics`),
    scrape(`${p.urls.ticketProducerMetrics}/metrics`),
    scrape(`${p.urls.sparkMetrics}/metrics`),
  ]);
  const producers = [...(gen ?? []), ...(tickets ?? [])];
  const streams = await Promise.all(
    p.streams.map(async (s) => {
      const norm = scrape(`${p.urls.normalizerMetrics[s]}/metrics`);
      const latest = Promise.all(
        STREAM_SPECS[s].aggregates.map(async (a) => ({
          aggregate: a,
          windows: await latestWindows(p.urls.sinkApi, a),
        })),
      );
      return streamStatus(s, producers, await norm, spark, await latest);
    }),
  );
  const sim = Math.max(
    sum(gen, 'citypulse_generator_simulated_time_seconds'),
    sum(tickets, 'citypulse_ticket_producer_simulated_time_seconds'),
  );
  return { ...(sim > 0 ? { simulatedTime: sim * 1000 } : {}), streams };
}
