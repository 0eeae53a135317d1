import { ListSource, ToySource, toyProfile, type ToyValue } from '../testing/toy-stream';
import { FaultInjector, type FaultOptions } from './fault-injector';
import type { SimRecord } from './records';

const START = Date.UTC(2024, 0, 8, 6);
type Rec = SimRecord<ToyValue>;

function injector(faults: Partial<FaultOptions>, seed = 11) {
  return new FaultInjector(
    new ToySource(seed, { count: 10, startTime: START, intervalMs: 10_000 }),
    seed,
    faults,
    toyProfile(),
  );
}
function take(faults: Partial<FaultOptions>, n: number, seed = 11): Rec[] {
  const inj = injector(faults, seed);
  return Array.from({ length: n }, (_, i) => inj.next(n - i));
}
const values = (rs: Rec[]) =>
  rs.filter((r): r is Extract<Rec, { kind: 'reading' }> => r.kind === 'reading');

describe('FaultInjector', () => {
  it('passes clean values through in event-time order when no fault is asked for', () => {
    const rs = take({}, 2_000);
    expect(rs.every((r) => r.kind === 'reading' && r.faults.length === 0)).toBe(true);
    const times = values(rs).map((r) => r.value.event_time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(rs.map((r) => r.seq)).toEqual(rs.map((_, i) => i));
    expect(values(rs)[3].key).toBe('M4');
  });

  it('injects each fault at roughly its share, the same way for the same seed', () => {
    const faults = {
      duplicates: 0.02,
      outOfOrder: 0.03,
      late: 0.01,
      malformed: 0.02,
      brokenAvro: 0.01,
      messyIds: 0.05,
    };
    const rs = take(faults, 20_000);
    const count = (k: string) => rs.filter((r) => (r.faults as string[]).includes(k)).length;
    expect(count('duplicate')).toBeGreaterThan(250);
    expect(count('duplicate')).toBeLessThan(550);
    expect(count('out_of_order')).toBeGreaterThan(450);
    expect(count('late')).toBeGreaterThan(120);
    expect(count('malformed')).toBeGreaterThan(250);
    expect(count('broken_avro')).toBeGreaterThan(100);
    expect(count('messy_id')).toBeGreaterThan(700);
    expect(take(faults, 20_000)).toEqual(rs);
    expect(take(faults, 2_000, 12)).not.toEqual(rs.slice(0, 2_000));
  });

  it('sends a duplicate with the same event id, key and values as its original, later', () => {
    const rs = values(take({ duplicates: 0.05 }, 5_000));
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

  it('holds late values back past the lateness bound and out-of-order ones within it', () => {
    const lateByMs = 20 * 60_000;
    const rs = values(
      take({ late: 0.02, outOfOrder: 0.05, lateByMs, outOfOrderMaxMs: 60_000 }, 20_000),
    );
    let maxClean = 0;
    let late = 0;
    let ooo = 0;
    for (const r of rs) {
      if (r.faults.includes('late')) {
        late++;
        if (r.seq < rs.length - 500)
          expect(maxClean - r.value.event_time).toBeGreaterThanOrEqual(lateByMs - 60_000);
      } else if (r.faults.includes('out_of_order')) {
        ooo++;
        expect(r.value.event_time).toBeLessThan(maxClean);
        expect(maxClean - r.value.event_time).toBeLessThanOrEqual(60_000 + 10_000);
      } else {
        maxClean = Math.max(maxClean, r.value.event_time);
      }
    }
    expect(late).toBeGreaterThan(200);
    expect(ooo).toBeGreaterThan(500);
  });

  it('ends a bounded run with exactly the asked number of records and nothing left behind', () => {
    const inj = injector({ late: 0.2, outOfOrder: 0.2, duplicates: 0.2 }, 3);
    const n = 1_000;
    for (let sent = 0; sent < n; sent++) inj.next(n - sent);
    expect(inj.pendingCount).toBe(0);
  });

  it('replaces values by undecodable bytes for broken Avro, keyed by the canonical id', () => {
    const broken = take({ brokenAvro: 0.5 }, 400).filter((r) => r.kind === 'bytes');
    expect(broken.length).toBeGreaterThan(150);
    for (const b of broken) {
      if (b.kind !== 'bytes') continue;
      expect(b.bytes[0] === 0 && b.bytes.readInt32BE(1) < 1000).toBe(false);
      expect(b.key).toMatch(/^M\d+$/);
      expect(b.eventId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(new Set(broken.map((b) => (b.kind === 'bytes' ? b.brokenAvro : '')))).toEqual(
      new Set(['not_avro', 'unknown_schema_id', 'bad_magic_byte']),
    );
  });

  it('messes the profile`s id fields and keys by the canonical id', () => {
    for (const r of values(take({ messyIds: 1 }, 200))) {
      expect(r.value.meter_id).not.toBe(r.key);
      expect(r.value.meter_id.trim().toUpperCase()).toBe(r.key);
      expect(r.faults).toEqual(['messy_id']);
    }
  });

  it('corrupts through the profile and names the variant', () => {
    const bad = values(take({ malformed: 1 }, 300));
    expect(bad.every((r) => r.faults.includes('malformed'))).toBe(true);
    expect(new Set(bad.map((r) => r.malformed))).toEqual(new Set(['negative_level', 'nan_level']));
    for (const r of bad) {
      if (r.malformed === 'nan_level') expect(r.value.level).toBeNaN();
      else expect(r.value.level).toBe(-1);
    }
  });

  it('refuses shares that do not add up', () => {
    expect(() => injector({ late: 0.6, outOfOrder: 0.6 })).toThrow(RangeError);
    expect(() => injector({ duplicates: -0.1 })).toThrow(RangeError);
  });

  it('steps one clean value at a time and releases held records when its clock moves', () => {
    const inj = new FaultInjector(
      new ListSource([0, 1_000, 2_000, 90_000]),
      1,
      { late: 1, lateByMs: 60_000 },
      toyProfile(),
    );
    expect(inj.step()).toBeUndefined(); // held: late
    expect(inj.pendingCount).toBe(1);
    expect(inj.headReleaseAt()).toBe(60_000);
    inj.advanceClock(60_000); // a merged run's clock passed it
    const r = inj.step()!;
    expect(r.kind === 'reading' && r.value.event_time).toBe(0);
    expect(r.faults).toEqual(['late']);
    expect(inj.nextTime()).toBe(1_000);
    expect(inj.clock).toBe(60_000);
  });
});
