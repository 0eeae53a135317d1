import { FaultInjector, type FaultOptions } from '../faults/fault-injector';
import { ListSource, ToySource, toyProfile } from '../testing/toy-stream';
import { StreamMux, type MuxRecord } from './stream-mux';

const START = Date.UTC(2024, 0, 8, 6);
type S = 'a' | 'b' | 'c';

function streams(faults: Partial<FaultOptions>, seed = 5) {
  const mk = (label: S, count: number, intervalMs: number) => ({
    stream: label,
    injector: new FaultInjector(
      new ToySource(seed, { count, startTime: START, intervalMs, label }),
      seed,
      faults,
      toyProfile(label),
    ),
  });
  return [mk('a', 7, 10_000), mk('b', 3, 25_000), mk('c', 2, 600_000)];
}
const run = (mux: StreamMux<S>, n: number): MuxRecord<S>[] =>
  Array.from({ length: n }, (_, i) => mux.next(n - i));
const time = (r: MuxRecord<S>) => (r.kind === 'reading' ? r.value.event_time : NaN);

describe('StreamMux', () => {
  it('merges clean streams in event-time order and numbers the merged run', () => {
    const rs = run(new StreamMux(streams({})), 3_000);
    const times = rs.map(time);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(rs.map((r) => r.seq)).toEqual(rs.map((_, i) => i));
    const share = (s: S) => rs.filter((r) => r.stream === s).length / rs.length;
    // a: 7 per 10 s, b: 3 per 25 s, c: 2 per 10 min
    expect(share('a')).toBeCloseTo(0.7 / (0.7 + 0.12 + 0.00333), 2);
    expect(share('c')).toBeGreaterThan(0);
  });

  it('gives each stream its own sequence, unchanged by the others (faults that hold nothing back)', () => {
    const faults = { malformed: 0.05, brokenAvro: 0.05, messyIds: 0.1 };
    const merged = run(new StreamMux(streams(faults)), 4_000);
    for (const [i, s] of (['a', 'b', 'c'] as const).entries()) {
      const alone = streams(faults)[i].injector;
      const mine = merged.filter((r) => r.stream === s);
      const expected = mine.map(() => alone.next());
      expect(mine.map(({ stream: _s, seq: _q, ...r }) => r)).toEqual(
        expected.map(({ seq: _q, ...r }) => r),
      );
    }
  });

  it('is the injector itself with one stream', () => {
    const faults = { duplicates: 0.05, late: 0.02, outOfOrder: 0.05, malformed: 0.02 };
    const merged = run(new StreamMux([streams(faults)[0]]), 2_000);
    const alone = streams(faults)[0].injector;
    const direct = Array.from({ length: 2_000 }, (_, i) => alone.next(2_000 - i));
    expect(merged.map(({ stream: _s, ...r }) => r)).toEqual(direct);
  });

  it('ends a bounded run with nothing held back, whatever stream held it', () => {
    const mux = new StreamMux(streams({ late: 0.2, outOfOrder: 0.2, duplicates: 0.2 }));
    const rs = run(mux, 1_500);
    expect(rs).toHaveLength(1_500);
    expect(mux.pendingCount).toBe(0);
    expect(new Set(rs.map((r) => r.seq)).size).toBe(1_500);
  });

  it('releases a sparse stream`s held records on the city clock, not on its own next value', () => {
    const sparse = new FaultInjector(
      new ListSource([0, 3_600_000], 'X'),
      1,
      { late: 1, lateByMs: 60_000 },
      toyProfile('x'),
    );
    const dense = new FaultInjector(
      new ToySource(1, { count: 1, startTime: 0, intervalMs: 10_000 }),
      1,
      {},
      toyProfile('d'),
    );
    const mux = new StreamMux<'x' | 'd'>([
      { stream: 'x', injector: sparse },
      { stream: 'd', injector: dense },
    ]);
    const rs = Array.from({ length: 20 }, () => mux.next());
    const lateAt = rs.findIndex((r) => r.stream === 'x');
    // released after the dense stream passed 60 s, long before the sparse one's next value (1 h)
    expect(lateAt).toBeGreaterThan(5);
    expect(lateAt).toBeLessThan(9);
    expect(rs[lateAt].faults).toEqual(['late']);
  });

  it('drains what every stream holds, in release order', () => {
    const mux = new StreamMux(streams({ late: 0.3 }));
    for (let i = 0; i < 500; i++) mux.next(); // unbounded: nothing is released early
    const before = mux.pendingCount;
    expect(before).toBeGreaterThan(0);
    const drained = mux.drain();
    expect(drained).toHaveLength(before);
    expect(mux.pendingCount).toBe(0);
    expect(drained.every((r) => (r.faults as string[]).includes('late'))).toBe(true);
  });

  it('says when every stream has ended', () => {
    const mux = new StreamMux([
      { stream: 'x', injector: new FaultInjector(new ListSource([1, 2]), 1, {}, toyProfile()) },
    ]);
    mux.next();
    mux.next();
    expect(mux.nextTime()).toBe(Infinity);
    expect(() => mux.next()).toThrow(/ended/);
    expect(() => new StreamMux([])).toThrow(RangeError);
  });
});
