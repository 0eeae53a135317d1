/**
 * The traffic worker against the real stack (make up): Kafka, the schema registry and
 * PostgreSQL with the seeded reference tables. Raw records — good, duplicated, impossible, of
 * unknown sensors, and bytes that are not Avro — go into a topic of this test's own; the
 * normalized topic and the DLQ are read back and checked record by record.
 */
import { type TrafficReadingNormalized, type TrafficReadingRaw } from '@citypulse/contracts';
import { DLQ_HEADERS } from '@citypulse/kafka';
import { KMH_PER_MPH } from '../src/workers/traffic/traffic-normalizer';
import { RAW_BODIES } from './raw-records';
import { WorkerHarness } from './worker-harness';

const now = Date.now();
let seq = 0;
function reading(over: Partial<TrafficReadingRaw> = {}): TrafficReadingRaw {
  seq++;
  return {
    event_id: `it-${seq}`,
    event_time: now - 60_000 + seq,
    ...RAW_BODIES.traffic,
    source: 'int-test',
    ...over,
  };
}

describe('traffic worker (Kafka + registry + PostgreSQL)', () => {
  const worker = new WorkerHarness('traffic');

  beforeAll(() => worker.start());
  afterAll(() => worker.stop());

  it('normalizes good readings, drops duplicates and sends every bad record to the DLQ with its reason', async () => {
    const good = [
      reading(),
      reading({ sensor_id: 'Z01-S04', zone_id: 'Z01', speed: 20, speed_unit: 'MPH' }),
      reading({ sensor_id: '  z07-s02 ', zone_id: 'z07' }),
      reading({
        sensor_id: 'Z08-S01',
        zone_id: 'Z08',
        speed: 0,
        occupancy_pct: 100,
        vehicle_count: 0,
      }),
    ];
    const duplicates = [{ ...good[0] }, { ...good[2] }];
    const bad: [TrafficReadingRaw, string][] = [
      [reading({ speed: -5 }), 'speed_out_of_range'],
      [reading({ speed: 900 }), 'speed_out_of_range'],
      [reading({ occupancy_pct: 150 }), 'occupancy_out_of_range'],
      [reading({ vehicle_count: -3 }), 'vehicle_count_out_of_range'],
      [reading({ event_time: now + 3_600_000 }), 'event_time_in_future'],
      [reading({ sensor_id: 'Z01-S99' }), 'unknown_sensor'],
      [reading({ sensor_id: 'Z99-S99', zone_id: 'Z99' }), 'unknown_zone'],
      [reading({ zone_id: 'Z03' }), 'zone_mismatch'],
    ];
    const garbage = [
      Buffer.from('{"not":"avro"}'),
      Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1, 2, 3]),
    ];

    // Interleaved, in one partition order per key, as a real stream would have them.
    await worker.send('trafficRaw', [
      good[0],
      bad[0][0],
      good[1],
      duplicates[0],
      bad[1][0],
      bad[2][0],
    ]);
    await worker.sendRaw(garbage, 'Z02-S01');
    await worker.send('trafficRaw', [
      ...bad.slice(3).map(([v]) => v),
      good[2],
      good[3],
      duplicates[1],
    ]);

    const normalized = await worker.normalized<TrafficReadingNormalized>();
    const dlq = await worker.deadLetters();
    // Every input record handled and nothing more to come: the duplicates really were dropped.
    await worker.settle(normalized, dlq, {
      normalized: good.length,
      dlq: bad.length + garbage.length,
    });

    expect(normalized.map((n) => n.value.event_id).sort()).toEqual(
      good.map((g) => g.event_id).sort(),
    );
    const byId = new Map(normalized.map((n) => [n.value.event_id, n]));
    expect(byId.get(good[0].event_id)).toMatchObject({
      key: 'Z02-S01',
      value: {
        sensor_id: 'Z02-S01',
        zone_id: 'Z02',
        zone_name: 'Central Station',
        speed_kmh: 42.5,
        speed_limit_kmh: 50,
        capacity: 3200,
        vehicle_count: 17,
        occupancy_pct: 21.5,
        original_speed_unit: 'KMH',
        event_time: good[0].event_time,
        source: 'int-test',
      },
    });
    const mph = byId.get(good[1].event_id)!.value;
    expect(mph.speed_kmh).toBeCloseTo(20 * KMH_PER_MPH, 9);
    expect(mph.original_speed_unit).toBe('MPH');
    expect(mph.zone_name).toBe('Old Town');
    expect(byId.get(good[2].event_id)).toMatchObject({
      key: 'Z07-S02',
      value: { sensor_id: 'Z07-S02', zone_id: 'Z07' },
    });
    for (const n of normalized) expect(n.value.ingested_at).toBeGreaterThanOrEqual(now - 1_000);

    expect(dlq).toHaveLength(bad.length + garbage.length);
    for (const [value, reason] of bad) {
      const hit = dlq.find(
        (d) =>
          d.headers[DLQ_HEADERS.errorMessage]?.startsWith(`${reason}:`) &&
          d.value.includes(Buffer.from(value.event_id)),
      );
      expect({ event: value.event_id, reason, found: hit !== undefined }).toEqual({
        event: value.event_id,
        reason,
        found: true,
      });
      expect(hit!.headers).toMatchObject({
        [DLQ_HEADERS.topic]: worker.input,
        [DLQ_HEADERS.errorCode]: 'INVALID_RECORD',
        [DLQ_HEADERS.service]: 'normalizer',
      });
      // The original bytes, untouched: they decode to the record that was sent.
      expect((await worker.serde.decode(hit!.value)).value).toEqual(value);
    }
    for (const g of garbage) {
      const hit = dlq.find((d) => d.value.equals(g));
      expect(hit?.headers[DLQ_HEADERS.errorCode]).toMatch(/BAD_FRAME|UNKNOWN_SCHEMA/);
    }
  });
});
