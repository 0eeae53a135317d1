import { SlidingWindow } from './sliding-window';

describe('SlidingWindow', () => {
  it('keeps the readings of the last windowMs of event time, out-of-order ones at their place', () => {
    const w = new SlidingWindow(10_000, 2);
    w.add(1_000, [10, 1]);
    w.add(3_000, [30, 3]);
    w.add(2_000, [20, 2]); // out of order, inside the window
    expect(w.count).toBe(3);
    expect(w.mean(0)).toBe(20);
    expect(w.clock).toBe(3_000);
    w.add(12_000, [40, 4]); // evicts 1,000 and 2,000 (<= 12,000 - 10,000)
    expect(w.count).toBe(2);
    expect(w.mean(0)).toBe(35);
    expect(w.mean(1)).toBe(3.5);
  });

  it('is NaN when empty', () => {
    expect(new SlidingWindow(1_000, 1).mean(0)).toBeNaN();
  });

  it('agrees with a plain recomputation over 200,000 readings, growing, sliding and reordering', () => {
    const windowMs = 5_000;
    const w = new SlidingWindow(windowMs, 2);
    const kept: { t: number; v: number[] }[] = [];
    let seed = 42;
    const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    let clock = 0;
    for (let n = 0; n < 200_000; n++) {
      // bursts of many readings per ms now and then, so the window grows past its first capacity
      clock += n % 50_000 < 20_000 ? 0.05 : 1;
      const t = Math.round(clock - (rnd() < 0.1 ? rnd() * 500 : 0)); // 10 % up to 0.5 s late
      const v = [Math.round(rnd() * 100), Math.round(rnd() * 10)];
      w.add(t, v);
      kept.push({ t, v });
      if (n % 997 === 0) {
        const newest = Math.max(...kept.slice(-600).map((r) => r.t), w.clock);
        const live = kept.filter((r) => r.t > newest - windowMs);
        kept.splice(0, kept.length, ...live);
        expect(w.count).toBe(live.length);
        const mean = (k: number) => live.reduce((s, r) => s + r.v[k], 0) / live.length;
        expect(w.mean(0)).toBeCloseTo(mean(0), 6);
        expect(w.mean(1)).toBeCloseTo(mean(1), 6);
      }
    }
  });
});
