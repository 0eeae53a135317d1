import { periodicTime } from './periodic';

describe('periodicTime', () => {
  it('spreads each round of reports evenly over the interval', () => {
    const ts = Array.from({ length: 8 }, (_, i) => periodicTime(i, 4, 1_000, 30_000));
    expect(ts).toEqual([1_000, 8_500, 16_000, 23_500, 31_000, 38_500, 46_000, 53_500]);
  });
});
