import { ClockPacer, Pacer } from './pacer';

describe('Pacer', () => {
  it('allows what is due by now, at most a batch, and says how long to wait', () => {
    let now = 0;
    const p = new Pacer(100, 50, () => now);
    expect(p.allowance(0)).toBe(1);
    now = 200;
    expect(p.allowance(1)).toBe(20);
    now = 2_000;
    expect(p.allowance(21)).toBe(50);
    expect(p.waitMs(300)).toBe(1_000);
    expect(new Pacer(Infinity, 50, () => now).allowance(1e9)).toBe(50);
  });
});

describe('ClockPacer', () => {
  it('runs the simulated clock at the speed-up from the start', () => {
    let now = 1_000;
    const c = new ClockPacer(60, 1_000_000, () => now);
    expect(c.due(1_000_000)).toBe(true);
    expect(c.due(1_000_001)).toBe(false);
    expect(c.waitMs(1_060_000)).toBe(1_000);
    now = 2_000;
    expect(c.simNow()).toBe(1_060_000);
    expect(c.due(1_060_000)).toBe(true);
    expect(c.waitMs(Infinity)).toBe(Infinity);
    expect(() => new ClockPacer(0, 0)).toThrow(RangeError);
  });
});
