import { httpJson } from './http';
import { byLabel, scrape, sum } from './metrics';
import type { Pipeline } from './pipeline';

export interface ZoneWindow {
  zone_id: string;
  zone_name: string;
  window_start: string;
  window_end: string;
  avg_speed_kmh: number;
  min_speed_kmh: number;
  max_speed_kmh: number;
  total_vehicle_flow: number;
  avg_occupancy_pct: number;
  congestion_score: number;
  readings: number;
}

export interface MobilityWindow {
  window_start: string;
  window_end: string;
  avg_speed_kmh: number;
  avg_occupancy_pct: number;
  mobility_index: number;
  category: string;
  zones: number;
  readings: number;
}

/** What a person watching the flow wants to know, from the services' /metrics and the sink's REST API. */
export interface FlowStatus {
  produced: number;
  simulatedTime?: number;
  normalized: number;
  rejected: number;
  rejectedByReason: Map<string, number>;
  dlq: number;
  duplicatesDropped: number;
  sparkInput: number;
  sparkLate: number;
  windowsStored: number;
  zones: ZoneWindow[];
  mobility?: MobilityWindow;
}

export async function flowStatus(p: Pipeline): Promise<FlowStatus> {
  const [gen, norm, spark, sink, latest, mobility] = await Promise.all([
    scrape(`${p.urls.generatorMetrics}/metrics`),
    scrape(`${p.urls.normalizerMetrics}/metrics`),
    scrape(`${p.urls.sparkMetrics}/metrics`),
    scrape(`${p.urls.sinkMetrics}/metrics`),
    httpJson<{ windows: ZoneWindow[] }>(`${p.urls.sinkApi}/traffic/latest`),
    httpJson<MobilityWindow>(`${p.urls.sinkApi}/mobility/latest`),
  ]);
  const sim = sum(gen, 'citypulse_generator_simulated_time_seconds');
  return {
    produced: sum(gen, 'citypulse_generator_records_sent_total'),
    ...(sim > 0 ? { simulatedTime: sim * 1000 } : {}),
    normalized: sum(norm, 'citypulse_normalizer_records_normalized_total'),
    rejected: sum(norm, 'citypulse_normalizer_records_rejected_total'),
    rejectedByReason: byLabel(norm, 'citypulse_normalizer_records_rejected_total', 'reason'),
    dlq: sum(norm, 'citypulse_dlq_records_total'),
    duplicatesDropped: sum(norm, 'citypulse_normalizer_duplicates_dropped_total'),
    sparkInput: sum(spark, 'citypulse_spark_input_rows_total', { query: 'gold_traffic_zone_5m' }),
    sparkLate: sum(spark, 'citypulse_spark_late_records_dropped_total', {
      query: 'gold_traffic_zone_5m',
    }),
    windowsStored: sum(sink, 'citypulse_sink_windows_total', {
      kind: 'traffic',
      store: 'mongodb',
      outcome: 'inserted',
    }),
    zones: (latest?.windows ?? []).sort((a, b) => a.zone_id.localeCompare(b.zone_id)),
    ...(mobility ? { mobility } : {}),
  };
}
