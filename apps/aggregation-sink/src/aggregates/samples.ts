import type { MobilityIndex5m, TrafficZoneAggregate5m } from '@citypulse/contracts';

/**
 * Made-up aggregate updates for the sink's tests and its benchmark (bench/sink-scaling.bench.js):
 * deterministic, window-aligned, and with figures that grow with the version, as a window's do
 * while readings arrive, so a reader can tell which version a store kept.
 */
export const SAMPLE_WINDOW_MS = 300_000;
/** A fixed, window-aligned start so runs are reproducible. */
export const SAMPLE_T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

/** The update of one zone's window at version `v` (1, 2, 3, ...), windows counted from `t0`. */
export function sampleTrafficUpdate(
  zone: number,
  window: number,
  v: number,
  t0 = SAMPLE_T0,
): TrafficZoneAggregate5m {
  const zoneId = `Z${String(zone).padStart(2, '0')}`;
  const windowStart = t0 + window * SAMPLE_WINDOW_MS;
  const updatedAt = windowStart + SAMPLE_WINDOW_MS + v * 1_000;
  return {
    event_id: `${zoneId}|${windowStart}|${updatedAt}`,
    event_time: windowStart + SAMPLE_WINDOW_MS,
    window_start: windowStart,
    window_end: windowStart + SAMPLE_WINDOW_MS,
    zone_id: zoneId,
    zone_name: `Zone ${zone}`,
    avg_speed_kmh: 30 + zone + v / 10,
    min_speed_kmh: 5 + v,
    max_speed_kmh: 60 + v,
    total_vehicle_flow: 100 * v + zone,
    avg_occupancy_pct: 20 + v,
    congestion_score: 10 * v,
    readings: 10 * v,
    updated_at: updatedAt,
  };
}

export function sampleMobilityUpdate(window: number, v: number, t0 = SAMPLE_T0): MobilityIndex5m {
  const windowStart = t0 + window * SAMPLE_WINDOW_MS;
  const updatedAt = windowStart + SAMPLE_WINDOW_MS + v * 1_000;
  return {
    event_id: `${windowStart}|${updatedAt}`,
    event_time: windowStart + SAMPLE_WINDOW_MS,
    window_start: windowStart,
    window_end: windowStart + SAMPLE_WINDOW_MS,
    avg_speed_kmh: 40 + v,
    avg_occupancy_pct: 30,
    mobility_index: 60 + v,
    category: 'GOOD',
    zones: 12,
    readings: 100 * v,
    updated_at: updatedAt,
  };
}
