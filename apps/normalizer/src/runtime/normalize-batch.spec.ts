import type { TrafficReadingNormalized, TrafficReadingRaw } from '@citypulse/contracts';
import { DedupCache } from '../dedup/dedup-cache';
import type { SensorDirectory } from '../reference/directories';
import { CityDirectory } from '../testing/directory';
import { trafficStream } from '../workers/traffic/traffic.stream';
import type { TrafficRejectReason } from '../workers/traffic/traffic-normalizer';
import {
  MISS_REFRESH_MIN_AGE_MS,
  NormalizeBatch,
  type ReferenceSnapshots,
} from './normalize-batch';
import type { WorkerMetrics } from './worker-metrics';

const NOW = Date.UTC(2024, 0, 8, 8);

function item(id: string, over: Partial<TrafficReadingRaw> = {}) {
  return {
    source: id,
    value: {
      event_id: id,
      event_time: NOW - 1_000,
      sensor_id: 'Z02-S01',
      zone_id: 'Z02',
      speed: 40,
      speed_unit: 'KMH',
      vehicle_count: 30,
      occupancy_pct: 20,
      source: 'test',
      ...over,
    } satisfies TrafficReadingRaw,
  };
}

/** Reference snapshots where a refresh, when allowed, brings in `next`. */
class FakeReference implements ReferenceSnapshots<SensorDirectory> {
  refreshes: number[] = [];
  constructor(
    public current: SensorDirectory,
    private readonly next: SensorDirectory | undefined,
  ) {}

  refreshIfOlderThan(minAgeMs: number): Promise<boolean> {
    this.refreshes.push(minAgeMs);
    if (!this.next) return Promise.resolve(false);
    this.current = this.next;
    return Promise.resolve(true);
  }
}

function setup(opts: { next?: SensorDirectory; failSends?: number } = {}) {
  const sent: { key: string; value: TrafficReadingNormalized }[][] = [];
  const counts = { normalized: 0, duplicates: 0, rejected: [] as string[], refreshes: 0 };
  let failSends = opts.failSends ?? 0;
  const metrics: WorkerMetrics<TrafficRejectReason> = {
    normalized: (n) => (counts.normalized += n),
    duplicates: (n) => (counts.duplicates += n),
    rejected: (reason) => counts.rejected.push(reason),
    referenceRefresh: () => counts.refreshes++,
  };
  const reference = new FakeReference(new CityDirectory(), opts.next);
  const useCase = new NormalizeBatch({
    stream: trafficStream,
    dedup: new DedupCache(60_000, 1_000),
    reference,
    output: {
      send: (records) => {
        if (failSends-- > 0) return Promise.reject(new Error('broker down'));
        sent.push(records);
        return Promise.resolve();
      },
    },
    metrics,
    clock: () => NOW,
  });
  return { useCase, sent, counts, reference };
}

describe('NormalizeBatch', () => {
  it('produces the accepted records keyed by the contract, counts, and returns the rejects', async () => {
    const { useCase, sent, counts, reference } = setup();
    const rejected = await useCase.execute([
      item('a'),
      item('b', { occupancy_pct: 101 }),
      item('a'),
      item('c', { sensor_id: ' z01-s04', zone_id: 'Z01', speed: 10, speed_unit: 'MPH' }),
    ]);
    expect(sent).toHaveLength(1);
    expect(sent[0].map((r) => [r.key, r.value.event_id])).toEqual([
      ['Z02-S01', 'a'],
      ['Z01-S04', 'c'],
    ]);
    expect(rejected).toEqual([
      { source: 'b', reason: 'occupancy_out_of_range', message: expect.any(String) },
    ]);
    expect(counts).toMatchObject({
      normalized: 2,
      duplicates: 1,
      rejected: ['occupancy_out_of_range'],
    });
    // No reference miss, no reload.
    expect(reference.refreshes).toEqual([]);
  });

  it('reloads the reference data on a miss and decides the batch again', async () => {
    const grown = new CityDirectory();
    grown.sensors.set('Z01-S99', {
      id: 'Z01-S99',
      zoneId: 'Z01',
      unit: 'kmh',
      lanes: 2,
      active: true,
    });
    const { useCase, sent, counts, reference } = setup({ next: grown });
    const rejected = await useCase.execute([
      item('a'),
      item('new', { sensor_id: 'Z01-S99', zone_id: 'Z01' }),
    ]);
    expect(reference.refreshes).toEqual([MISS_REFRESH_MIN_AGE_MS]);
    expect(rejected).toEqual([]);
    expect(sent[0].map((r) => r.key)).toEqual(['Z02-S01', 'Z01-S99']);
    expect(counts.normalized).toBe(2);
  });

  it('keeps the first decision when no newer snapshot comes', async () => {
    const { useCase, sent, counts, reference } = setup();
    const rejected = await useCase.execute([item('x', { sensor_id: 'Z01-S99', zone_id: 'Z01' })]);
    expect(reference.refreshes).toHaveLength(1);
    expect(rejected.map((r) => r.reason)).toEqual(['unknown_sensor']);
    expect(sent).toEqual([[]]);
    expect(counts.rejected).toEqual(['unknown_sensor']);
  });

  it('remembers ids only once produced: a failed send is retried whole, a later copy is dropped', async () => {
    const { useCase, sent, counts } = setup({ failSends: 1 });
    await expect(useCase.execute([item('a'), item('b')])).rejects.toThrow('broker down');
    expect(counts.normalized).toBe(0);
    // The transport retries the batch: nothing in it is taken for a duplicate of itself.
    await useCase.execute([item('a'), item('b')]);
    expect(sent[0].map((r) => r.value.event_id)).toEqual(['a', 'b']);
    // A redelivery after it was produced is dropped.
    await useCase.execute([item('a'), item(' b ')]);
    expect(sent[1]).toEqual([]);
    expect(counts).toMatchObject({ normalized: 2, duplicates: 2 });
  });
});
