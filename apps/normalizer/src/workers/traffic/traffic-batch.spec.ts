import type { TrafficReadingRaw } from '@citypulse/contracts';
import { DedupCache } from '../../dedup/dedup-cache';
import { CityDirectory } from '../../testing/directory';
import { TrafficBatchProcessor } from './traffic-batch';

const NOW = Date.UTC(2024, 0, 8, 8);

function raw(
  id: string,
  over: Partial<TrafficReadingRaw> = {},
): { value: TrafficReadingRaw; source: string } {
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
    },
  };
}

describe('TrafficBatchProcessor', () => {
  it('splits a batch into accepted, rejected and duplicates, in order', () => {
    const p = new TrafficBatchProcessor(new CityDirectory(), new DedupCache(60_000, 1_000));
    const out = p.process(
      [
        raw('a'),
        raw('b', { speed: -5 }),
        raw('a'),
        raw('c', { sensor_id: 'z06-s02 ', zone_id: 'Z06' }),
      ],
      NOW,
    );
    expect(out.accepted.map((a) => [a.source, a.key])).toEqual([
      ['a', 'Z02-S01'],
      ['c', 'Z06-S02'],
    ]);
    expect(out.rejected).toEqual([
      { source: 'b', reason: 'speed_out_of_range', message: expect.any(String) },
    ]);
    expect(out.duplicates).toEqual(['a']);
  });

  it('drops ids of earlier batches only once they were remembered', () => {
    const p = new TrafficBatchProcessor(new CityDirectory(), new DedupCache(60_000, 1_000));
    const first = p.process([raw('a'), raw('b')], NOW);
    // Not remembered yet (say the produce failed and the batch is retried): nothing is a duplicate.
    expect(p.process([raw('a'), raw('b')], NOW).duplicates).toEqual([]);
    p.remember(first, NOW);
    const again = p.process([raw('a'), raw('b'), raw('x')], NOW + 1);
    expect(again.duplicates).toEqual(['a', 'b']);
    expect(again.accepted.map((a) => a.source)).toEqual(['x']);
  });

  it('lets a rejected id through the dedup (its duplicate is rejected again)', () => {
    const p = new TrafficBatchProcessor(new CityDirectory(), new DedupCache(60_000, 1_000));
    const out = p.process(
      [raw('a', { occupancy_pct: 150 }), raw('a', { occupancy_pct: 150 })],
      NOW,
    );
    expect(out.rejected).toHaveLength(2);
    expect(out.duplicates).toHaveLength(0);
  });
});
