import type { MobilityIndex5m, TrafficZoneAggregate5m } from '@citypulse/contracts';

export const WINDOW_MS = 300_000;
/** A fixed, window-aligned start so runs are reproducible. */
export const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

/**
 * The update of one zone's window at version `v` (1, 2, 3, ...): the figures grow with the
 * version, as a window's do while readings arrive, so a test can tell which version a store kept.
 */
export function trafficUpdate(zone: number, window: number, v: number): TrafficZoneAggregate5m {
  const zoneId = `Z${String(zone).padStart(2, '0')}`;
  const windowStart = T0 + window * WINDOW_MS;
  const updatedAt = windowStart + WINDOW_MS + v * 1_000;
  return {
    event_id: `${zoneId}|${windowStart}|${updatedAt}`,
    event_time: windowStart + WINDOW_MS,
    window_start: windowStart,
    window_end: windowStart + WINDOW_MS,
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

export function mobilityUpdate(window: number, v: number): MobilityIndex5m {
  const windowStart = T0 + window * WINDOW_MS;
  const updatedAt = windowStart + WINDOW_MS + v * 1_000;
  return {
    event_id: `${windowStart}|${updatedAt}`,
    event_time: windowStart + WINDOW_MS,
    window_start: windowStart,
    window_end: windowStart + WINDOW_MS,
    avg_speed_kmh: 40 + v,
    avg_occupancy_pct: 30,
    mobility_index: 60 + v,
    category: 'GOOD',
    zones: 12,
    readings: 100 * v,
    updated_at: updatedAt,
  };
}

/** A deterministic shuffle (mulberry32), so "out of order" is the same order every run. */
export function shuffled<T>(items: readonly T[], seed = 42): T[] {
  let a = seed >>> 0;
  const rnd = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
