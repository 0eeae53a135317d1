import { DedupCache } from './dedup-cache';

describe('DedupCache', () => {
  it('remembers ids for the TTL and forgets them after', () => {
    const c = new DedupCache(1_000, 100);
    c.addAll(['a', 'b'], 0);
    expect(c.has('a', 999)).toBe(true);
    expect(c.has('c', 999)).toBe(false);
    expect(c.has('a', 1_000)).toBe(false);
    c.addAll(['c'], 1_500);
    expect(c.size).toBe(1);
  });

  it('evicts the oldest ids beyond its bound', () => {
    const c = new DedupCache(60_000, 3);
    c.addAll(['a', 'b', 'c', 'd'], 0);
    expect(c.size).toBe(3);
    expect(c.has('a', 1)).toBe(false);
    expect(c.has('d', 1)).toBe(true);
    c.addAll(['b'], 10);
    c.addAll(['e'], 11);
    expect(c.has('b', 12)).toBe(true);
    expect(c.has('c', 12)).toBe(false);
  });

  it('stays bounded under a long stream', () => {
    const c = new DedupCache(1_000, 10_000);
    for (let i = 0; i < 100_000; i++) c.addAll([`id-${i}`], i);
    expect(c.size).toBeLessThanOrEqual(1_000);
    expect(c.has('id-99999', 99_999)).toBe(true);
  });
});
