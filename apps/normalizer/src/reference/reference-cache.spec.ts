import { ReferenceCache, type LoadedReference } from './reference-cache';

/** A loader whose every call is answered by the test: `next` resolves it, `fail` rejects it. */
function controlledLoader() {
  const pending: { resolve: (v: LoadedReference<number>) => void; reject: (e: Error) => void }[] =
    [];
  let calls = 0;
  return {
    load: () => {
      calls++;
      return new Promise<LoadedReference<number>>((resolve, reject) =>
        pending.push({ resolve, reject }),
      );
    },
    get calls() {
      return calls;
    },
    async next(data: number) {
      pending.shift()!.resolve({ data, summary: `v${data}` });
      await Promise.resolve();
    },
  };
}

function autoLoader(results: (number | Error)[]) {
  let calls = 0;
  return {
    load: () => {
      const r = results[Math.min(calls++, results.length - 1)];
      return r instanceof Error
        ? Promise.reject(r)
        : Promise.resolve({ data: r, summary: `v${r}` });
    },
    get calls() {
      return calls;
    },
  };
}

describe('ReferenceCache', () => {
  it('loads at start, logs the summary once and counts the outcome', async () => {
    const logs: string[] = [];
    const outcomes: boolean[] = [];
    const loader = autoLoader([1, 2]);
    const cache = new ReferenceCache(loader.load, {
      refreshIntervalMs: 0,
      logger: { log: (m) => logs.push(m), warn: (m) => logs.push(`warn ${m}`) },
      onRefresh: (ok) => outcomes.push(ok),
      clock: () => 1_000,
    });
    expect(() => cache.current).toThrow(/before it was loaded/);
    await cache.start();
    expect(cache.current).toBe(1);
    expect(cache.loadedAt).toBe(1_000);
    await cache.refresh();
    expect(cache.current).toBe(2);
    expect(logs).toEqual(['reference data: v1']);
    expect(outcomes).toEqual([true, true]);
  });

  it('fails to start when the first load fails', async () => {
    const cache = new ReferenceCache(autoLoader([new Error('no such table')]).load, {
      refreshIntervalMs: 0,
    });
    await expect(cache.start()).rejects.toThrow('no such table');
    expect(() => cache.current).toThrow();
  });

  it('keeps the previous snapshot when a reload fails', async () => {
    const warnings: string[] = [];
    const outcomes: boolean[] = [];
    const cache = new ReferenceCache(autoLoader([1, new Error('db down')]).load, {
      refreshIntervalMs: 0,
      logger: { log: () => undefined, warn: (m) => warnings.push(m) },
      onRefresh: (ok) => outcomes.push(ok),
    });
    await cache.start();
    await expect(cache.refresh()).rejects.toThrow('db down');
    expect(cache.current).toBe(1);
    expect(outcomes).toEqual([true, false]);
    expect(warnings).toEqual([
      'reference data reload failed, keeping the previous snapshot: db down',
    ]);
  });

  it('shares one load between concurrent refreshes', async () => {
    const loader = controlledLoader();
    const cache = new ReferenceCache(loader.load, { refreshIntervalMs: 0 });
    const a = cache.refresh();
    const b = cache.refresh();
    expect(loader.calls).toBe(1);
    await loader.next(7);
    await Promise.all([a, b]);
    expect(cache.current).toBe(7);
  });

  it('reloads on demand at most once per minimum age, failed attempts included', async () => {
    let now = 0;
    const loader = autoLoader([1, 2, new Error('db down'), 3]);
    const cache = new ReferenceCache(loader.load, { refreshIntervalMs: 0, clock: () => now });
    await cache.start(); // attempt at 0
    now = 9_999;
    expect(await cache.refreshIfOlderThan(10_000)).toBe(false);
    expect(loader.calls).toBe(1);
    now = 10_000;
    expect(await cache.refreshIfOlderThan(10_000)).toBe(true);
    expect(cache.current).toBe(2);
    now = 20_000;
    expect(await cache.refreshIfOlderThan(10_000)).toBe(false); // the load failed, never rejects
    expect(cache.current).toBe(2);
    now = 25_000;
    expect(await cache.refreshIfOlderThan(10_000)).toBe(false); // the failure counts as an attempt
    expect(loader.calls).toBe(3);
    now = 30_000;
    expect(await cache.refreshIfOlderThan(10_000)).toBe(true);
    expect(cache.current).toBe(3);
  });

  it('reloads every interval until stopped', async () => {
    jest.useFakeTimers();
    try {
      const loader = autoLoader([1, 2, 3, 4, 5]);
      const cache = new ReferenceCache(loader.load, { refreshIntervalMs: 1_000 });
      await cache.start();
      await jest.advanceTimersByTimeAsync(3_000);
      expect(loader.calls).toBe(4);
      expect(cache.current).toBe(4);
      cache.stop();
      await jest.advanceTimersByTimeAsync(5_000);
      expect(loader.calls).toBe(4);
    } finally {
      jest.useRealTimers();
    }
  });
});
