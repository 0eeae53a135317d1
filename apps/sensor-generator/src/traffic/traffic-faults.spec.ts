import { createInjector, generateRecords, type GenerationOptions } from '../dump/generate';
import { testCity } from '../testing/city';
import { corrupt, type GeneratedRecord } from './traffic-faults';

const START = Date.UTC(2024, 0, 8, 6);

function options(faults: GenerationOptions['faults'], seed = 11): GenerationOptions {
  return { seed, city: testCity(), startTime: START, intervalMs: 10_000, faults };
}
const readings = (rs: GeneratedRecord[]) =>
  rs.filter((r): r is Extract<GeneratedRecord, { kind: 'reading' }> => r.kind === 'reading');

describe('traffic faults', () => {
  it('sends clean readings in event-time order when no fault is asked for', () => {
    const rs = [...generateRecords(options({}), 5_000)];
    expect(rs).toHaveLength(5_000);
    expect(rs.every((r) => r.kind === 'reading' && r.faults.length === 0)).toBe(true);
    const times = readings(rs).map((r) => r.value.event_time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(rs.map((r) => r.seq)).toEqual(rs.map((_, i) => i));
  });

  it('injects each fault at roughly its share, deterministically', () => {
    const faults = {
      duplicates: 0.02,
      outOfOrder: 0.03,
      late: 0.01,
      malformed: 0.02,
      brokenAvro: 0.01,
      messyIds: 0.05,
    };
    const rs = [...generateRecords(options(faults), 20_000)];
    const count = (k: string) => rs.filter((r) => (r.faults as string[]).includes(k)).length;
    expect(count('duplicate')).toBeGreaterThan(250);
    expect(count('duplicate')).toBeLessThan(550);
    expect(count('out_of_order')).toBeGreaterThan(450);
    expect(count('late')).toBeGreaterThan(120);
    expect(count('malformed')).toBeGreaterThan(250);
    expect(count('broken_avro')).toBeGreaterThan(100);
    expect(count('messy_id')).toBeGreaterThan(700);
    expect([...generateRecords(options(faults), 20_000)]).toEqual(rs);
  });

  it('sends a duplicate with the same event id and values as its original, later', () => {
    const rs = readings([...generateRecords(options({ duplicates: 0.05 }), 5_000)]);
    const dups = rs.filter((r) => r.faults.includes('duplicate'));
    expect(dups.length).toBeGreaterThan(100);
    for (const d of dups) {
      const original = rs.find(
        (r) => r.value.event_id === d.value.event_id && !r.faults.includes('duplicate'),
      )!;
      expect(original.seq).toBeLessThan(d.seq);
      expect(d.value).toEqual(original.value);
      expect(d.key).toBe(original.key);
    }
  });

  it('holds late readings back past the lateness bound and out-of-order ones within it', () => {
    const lateByMs = 20 * 60_000;
    const rs = readings([
      ...generateRecords(
        options({ late: 0.02, outOfOrder: 0.05, lateByMs, outOfOrderMaxMs: 60_000 }),
        20_000,
      ),
    ]);
    let maxClean = 0;
    let lateSeen = 0;
    let oooSeen = 0;
    for (const r of rs) {
      if (r.faults.includes('late')) {
        lateSeen++;
        // Sent only once the clean stream has moved lateBy past it (the run's end aside).
        if (r.seq < rs.length - 500)
          expect(maxClean - r.value.event_time).toBeGreaterThanOrEqual(lateByMs - 60_000);
      } else if (r.faults.includes('out_of_order')) {
        oooSeen++;
        expect(r.value.event_time).toBeLessThan(maxClean);
        expect(maxClean - r.value.event_time).toBeLessThanOrEqual(60_000 + 10_000);
      } else {
        maxClean = Math.max(maxClean, r.value.event_time);
      }
    }
    expect(lateSeen).toBeGreaterThan(200);
    expect(oooSeen).toBeGreaterThan(500);
  });

  it('ends a bounded run with exactly the asked number of records and nothing left behind', () => {
    const injector = createInjector({
      seed: 3,
      city: testCity(),
      startTime: START,
      intervalMs: 10_000,
      faults: { late: 0.2, outOfOrder: 0.2, duplicates: 0.2 },
    });
    const n = 1_000;
    for (let sent = 0; sent < n; sent++) injector.next(n - sent);
    expect(injector.pendingCount).toBe(0);
  });

  it('replaces readings by undecodable bytes for broken Avro', () => {
    const rs = [...generateRecords(options({ brokenAvro: 0.5 }), 400)];
    const broken = rs.filter((r) => r.kind === 'bytes');
    expect(broken.length).toBeGreaterThan(150);
    for (const b of broken) {
      if (b.kind !== 'bytes') continue;
      // Never a valid Confluent frame with a registered id: wrong magic byte, an unknown id, or JSON.
      const validHeader = b.bytes[0] === 0 && b.bytes.readInt32BE(1) < 1000;
      expect(validHeader).toBe(false);
      expect(b.key).toMatch(/^Z\d\d-S\d\d$/);
    }
    expect(new Set(broken.map((b) => (b.kind === 'bytes' ? b.brokenAvro : '')))).toEqual(
      new Set(['not_avro', 'unknown_schema_id', 'bad_magic_byte']),
    );
  });

  it('keys messy ids by the canonical sensor id', () => {
    const rs = readings([...generateRecords(options({ messyIds: 1 }), 200)]);
    for (const r of rs) {
      expect(r.value.sensor_id).not.toBe(r.key);
      expect(r.value.sensor_id.trim().toUpperCase()).toBe(r.key);
    }
  });

  it('makes each malformed variant impossible', () => {
    const base = readings([...generateRecords(options({}), 1)])[0].value;
    expect(corrupt(base, 'negative_speed').speed).toBeLessThan(0);
    expect(corrupt(base, 'impossible_speed').speed).toBeGreaterThan(250);
    expect(corrupt(base, 'nan_speed').speed).toBeNaN();
    expect(corrupt(base, 'occupancy_over_100').occupancy_pct).toBeGreaterThan(100);
    expect(corrupt(base, 'negative_count').vehicle_count).toBeLessThan(0);
    expect(corrupt(base, 'far_future').event_time).toBeGreaterThan(base.event_time + 86_400_000);
    expect(corrupt(base, 'unknown_sensor').sensor_id).toBe('Z99-S99');
    expect(base.speed).toBeGreaterThan(0);
  });

  it('refuses shares that do not add up', () => {
    expect(() => [...generateRecords(options({ late: 0.6, outOfOrder: 0.6 }), 1)]).toThrow(
      RangeError,
    );
  });
});
