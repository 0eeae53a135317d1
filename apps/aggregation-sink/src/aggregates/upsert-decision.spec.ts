import { decideUpsert, newestPerKey, writes } from './upsert-decision';

const t = (ms: number): Date => new Date(1_700_000_000_000 + ms);

describe('decideUpsert', () => {
  it('inserts a window the store has never seen', () => {
    expect(decideUpsert(undefined, t(0))).toBe('insert');
  });

  it('replaces a stored window with a strictly newer update', () => {
    expect(decideUpsert(t(0), t(1))).toBe('update');
  });

  it('treats the same version again as a replay that changes nothing', () => {
    expect(decideUpsert(t(5), t(5))).toBe('replay');
    expect(writes('replay')).toBe(false);
  });

  it('never lets an older update overwrite a newer one', () => {
    expect(decideUpsert(t(5), t(4))).toBe('stale');
    expect(writes('stale')).toBe(false);
  });

  it('ends in the same state whatever order the updates of a window arrive in', () => {
    const versions = [3, 1, 4, 1, 5, 9, 2, 6];
    const apply = (order: number[]): number | undefined =>
      order.reduce<number | undefined>((stored, v) => {
        const d = decideUpsert(stored === undefined ? undefined : t(stored), t(v));
        return writes(d) ? v : stored;
      }, undefined);
    const reversed = [...versions].reverse();
    const replayedTwice = [...versions, ...versions];
    expect(apply(versions)).toBe(9);
    expect(apply(reversed)).toBe(9);
    expect(apply(replayedTwice)).toBe(9);
  });
});

describe('newestPerKey', () => {
  it('keeps the newest update of each key, in first-seen key order', () => {
    const batch = [
      { key: 'Z01|0', updatedAt: t(1), n: 'a' },
      { key: 'Z02|0', updatedAt: t(1), n: 'b' },
      { key: 'Z01|0', updatedAt: t(3), n: 'c' },
      { key: 'Z01|0', updatedAt: t(2), n: 'd' },
      { key: 'Z02|0', updatedAt: t(1), n: 'e' },
    ];
    expect(newestPerKey(batch).map((x) => x.n)).toEqual(['c', 'b']);
  });

  it('returns an empty batch unchanged', () => {
    expect(newestPerKey([])).toEqual([]);
  });
});
