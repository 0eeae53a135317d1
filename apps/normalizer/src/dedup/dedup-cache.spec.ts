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

  it('keeps an id added again until its newest addition expires', () => {
    const c = new DedupCache(1_000, 3);
    c.addAll(['a'], 0);
    c.addAll(['b'], 100);
    c.addAll(['a'], 200);
    // a's first addition expires at 1,000 and is evicted; its second one keeps it
    c.addAll(['c'], 1_050);
    expect(c.has('a', 1_099)).toBe(true);
    expect(c.has('b', 1_099)).toBe(true);
    expect(c.has('b', 1_100)).toBe(false);
    expect(c.size).toBe(3);
    // at the bound, the oldest slot goes first, whichever id holds it
    c.addAll(['d', 'e'], 1_060);
    expect(c.has('b', 1_061)).toBe(false);
    expect(c.has('a', 1_061)).toBe(false);
    expect(['c', 'd', 'e'].every((id) => c.has(id, 1_061))).toBe(true);
  });

  it('tells ids apart whatever their characters, and forgets the oldest when their bytes run out', () => {
    const c = new DedupCache(60_000, 4); // ids' room: at least 1,024 bytes
    const ids = ['é-1', 'é-1 ', 'ÿ', '\u0100', '𝄞', 'Z01-S01', 'z01-s01'];
    c.addAll(ids.slice(0, 4), 0);
    expect(ids.slice(0, 4).every((id) => c.has(id, 1))).toBe(true);
    c.addAll(ids.slice(4), 2);
    expect(ids.map((id) => c.has(id, 3))).toEqual([false, false, false, true, true, true, true]);
    // three ids of 300 characters fill most of the room: a fourth one pushes the first out
    const long = (n: number) => `${n}`.padEnd(300, 'x');
    c.addAll([long(1), long(2), long(3)], 10);
    expect([1, 2, 3].every((n) => c.has(long(n), 11))).toBe(true);
    c.addAll([long(4)], 12);
    expect(c.has(long(1), 13)).toBe(false);
    expect([2, 3, 4].every((n) => c.has(long(n), 13))).toBe(true);
    // an id longer than the whole room is not remembered
    c.addAll(['y'.repeat(5_000)], 14);
    expect(c.has('y'.repeat(5_000), 15)).toBe(false);
  });

  it('stays bounded under a long stream', () => {
    const c = new DedupCache(1_000, 10_000);
    for (let i = 0; i < 100_000; i++) c.addAll([`id-${i}`], i);
    expect(c.size).toBeLessThanOrEqual(1_000);
    expect(c.has('id-99999', 99_999)).toBe(true);
  });

  it('answers as a plain map of id -> expiry with oldest-first eviction would, over random work', () => {
    // the reference: every addition in order, an id live while its newest addition is in the
    // last `max` additions and not expired
    const max = 50;
    const ttl = 1_000;
    const c = new DedupCache(ttl, max);
    const additions: { id: string; expiry: number }[] = [];
    let seed = 42;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    let now = 0;
    for (let step = 0; step < 4_000; step++) {
      now += rnd(40);
      const id = `e-${rnd(120)}`;
      if (rnd(3) === 0) {
        // as the cache does: drop what expired, then add, evicting the oldest beyond the bound
        while (additions.length > 0 && additions[0].expiry <= now) additions.shift();
        additions.push({ id, expiry: now + ttl });
        if (additions.length > max) additions.shift();
        c.addAll([id], now);
      }
      const newest = additions.filter((a) => a.id === id).pop();
      const expected = newest !== undefined && newest.expiry > now;
      expect(c.has(id, now)).toBe(expected);
      expect(c.size).toBe(new Set(additions.map((a) => a.id)).size);
    }
  });
});
