/**
 * Fault case 10: a soak. No fault: the flow at a steady rate for SOAK_MINUTES (10), then the same
 * exact check as every case (nothing lost, nothing counted twice). Meanwhile, every 10 s, the
 * resident memory of each service of the run (the process and its children: the Spark job's JVM
 * under its Python) and the lag of the normalizer's group and of Spark's windows query.
 *
 * What must hold besides the windows: after a warm-up (the first half of the run) no service's
 * memory grows by 10 % or more, and the lags stay bounded: in the second half of the run neither
 * exceeds what the generator sends in SOAK_MAX_LAG_SECONDS (60). The warm-up is half the run because
 * the Spark job's JVM takes its heap from the OS lazily: in the first 10-minute run its RSS went
 * 485 MB -> 1,180 MB in the first 6 minutes, then 1,360-1,426 MB (its heap limit is 1 GB).
 *
 * Growth is the trend, not two snapshots: the least-squares slope over the second half, times that
 * half's length, against the half's mean. Of what: for the Spark job, its RSS; for a Node service,
 * what its JavaScript and its Buffers hold (prom-client's nodejs_heap_size_used_bytes +
 * nodejs_external_memory_bytes), which is where a leak of the service's own code shows. A Node
 * service's RSS is a sawtooth of minutes: V8 grows the heap it has committed and gives pages back
 * after a major collection (the sink's RSS 125 -> 141 -> 113 -> 132 -> 115 -> 149 MB in one
 * 10-minute run, three minutes a tooth, while its heap in use stayed at 40-46 MB), so the slope of
 * RSS over five minutes depends on where the teeth fall: +8.6 % in one run, +17.1 % in the next,
 * the same code. A Node service's RSS trend is still bounded, by 25 %, against a leak outside V8
 * (native memory). Both are logged.
 *
 * SOAK_RATE is readings/s, 3,000 by default: what the 2-core machine the suite runs on keeps up
 * with, the Spark job included (bench/README.md: the job needs about 55 s per micro-batch at
 * 10,000/s here). The issue's 20,000/s is `SOAK_RATE=20000` on a machine with the cores for it.
 */
import { createRequire } from 'node:module';
import { scrape, sum, trendGrowthPct } from '../../src';
import { log } from '../harness';
import { faultCase } from './fault-harness';

const RATE = Number(process.env.SOAK_RATE ?? 3_000);
const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const MAX_LAG_SECONDS = Number(process.env.SOAK_MAX_LAG_SECONDS ?? 60);
const SAMPLE_MS = 10_000;

// bench's reader of /proc (a process and its descendants), so the suite and `make bench` measure alike
const memory = createRequire(__filename)('../../../bench/lib/memory.js') as {
  /** the process and its descendants */
  tree(pid: number): number[];
  treeMemory(pids: number[]): { rssMb: number };
};

interface Sample {
  at: number;
  rssMb: Map<string, number>;
  normalizerLag?: number;
  sparkLag?: number;
  /** per Node service: V8's heap in use + Buffers (external), MB: a leak grows it, lazy RSS does not */
  heldMb: Map<string, number>;
}

/** What a Node service's JavaScript holds: V8's heap in use and external memory (Buffers), MB. */
async function heldMb(url: string): Promise<number | undefined> {
  const m = await scrape(`${url}/metrics`);
  if (!m) return undefined;
  const bytes = sum(m, 'nodejs_heap_size_used_bytes') + sum(m, 'nodejs_external_memory_bytes');
  return bytes > 0 ? Math.round(bytes / 1e6) : undefined;
}

/** A Node service's RSS may swing this much over the second half (its teeth), against a native leak. */
const NODE_RSS_GROWTH_BOUND_PCT = 25;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('fault: soak', () => {
  it(`${MINUTES} minutes at ${RATE} readings/s: every window exact, memory flat, lag bounded`, async () => {
    const samples: Sample[] = [];
    await faultCase(
      {
        tag: 'soak',
        load: { rate: RATE, maxEvents: RATE * MINUTES * 60 },
        tailSeconds: 0,
      },
      async (ctx) => {
        const urls = ctx.pipeline.urls;
        // the Node services of the run and their metrics
        const nodeMetrics = new Map<string, string>([
          ['aggregation-sink', urls.sinkMetrics],
          ['sensor-generator', urls.generatorMetrics],
          ...Object.entries(urls.normalizerMetrics).map(
            ([stream, url]) => [`normalizer-${stream}`, url] as [string, string],
          ),
        ]);
        const gen = ctx.pipeline.processes.get('sensor-generator')!;
        const t0 = Date.now();
        while (gen.running) {
          const rssMb = new Map<string, number>();
          for (const [name, proc] of ctx.pipeline.processes)
            if (proc.running && proc.pid)
              rssMb.set(name, memory.treeMemory(memory.tree(proc.pid)).rssMb);
          const held = new Map<string, number>();
          for (const name of rssMb.keys()) {
            const url = nodeMetrics.get(name);
            const mb = url ? await heldMb(url) : undefined;
            if (mb !== undefined) held.set(name, mb);
          }
          const s: Sample = {
            at: (Date.now() - t0) / 1000,
            rssMb,
            normalizerLag: await ctx.normalizerLag(),
            sparkLag: await ctx.sparkLag(),
            heldMb: held,
          };
          samples.push(s);
          log(
            `soak ${s.at.toFixed(0)} s: RSS ${[...rssMb].map(([n, mb]) => `${n} ${mb} MB`).join(', ')}; ` +
              `held ${[...held].map(([n, mb]) => `${n} ${mb} MB`).join(', ')}; ` +
              `lag: normalizer ${s.normalizerLag}, spark ${s.sparkLag ?? '?'}`,
          );
          await new Promise((r) => setTimeout(r, SAMPLE_MS));
        }
      },
      (_ctx, report) => {
        expect(Object.fromEntries(report.restarts)).toEqual({});
        const end = samples[samples.length - 1].at;
        const span = (from: number, to: number) => samples.filter((s) => s.at >= from && s.at < to);
        const warm = end / 2;
        const after = span(warm, end + 1);
        expect(after.length).toBeGreaterThan(6);
        const rssGrowth: Record<string, number> = {};
        const heldGrowth: Record<string, number> = {};
        for (const name of samples[0].rssMb.keys()) {
          rssGrowth[name] = trendGrowthPct(after.map((s) => [s.at, s.rssMb.get(name) ?? 0]));
          const held = after.filter((s) => s.heldMb.has(name));
          // a Node service whose metrics answered through the second half is judged on what it holds
          if (held.length >= after.length - 1)
            heldGrowth[name] = trendGrowthPct(held.map((s) => [s.at, s.heldMb.get(name)!]));
        }
        const level = (name: string, xs: Sample[]) =>
          mean(xs.map((s) => s.heldMb.get(name) ?? 0)).toFixed(0);
        log(
          `soak: growth after warm-up, % (trend over the second half): RSS ${JSON.stringify(rssGrowth)}; ` +
            `heap in use + external ${JSON.stringify(heldGrowth)} (${Object.keys(heldGrowth)
              .map((n) => `${n} ${level(n, after.slice(0, 6))} -> ${level(n, after.slice(-6))} MB`)
              .join(', ')})`,
        );
        expect(Object.keys(heldGrowth).sort()).toEqual([...nodeNames(samples)].sort());
        for (const name of Object.keys(rssGrowth)) {
          const node = name in heldGrowth;
          const pct = node ? heldGrowth[name] : rssGrowth[name];
          expect({ name, growthBelow10Pct: pct < 10 }).toEqual({ name, growthBelow10Pct: true });
          if (node)
            expect({ name, rssBelowBound: rssGrowth[name] < NODE_RSS_GROWTH_BOUND_PCT }).toEqual({
              name,
              rssBelowBound: true,
            });
        }
        const second = span(end / 2, end + 1);
        const bound = RATE * MAX_LAG_SECONDS;
        const worst = (k: 'normalizerLag' | 'sparkLag') =>
          Math.max(...second.map((s) => s[k] ?? 0));
        log(
          `soak: largest lag in the second half: normalizer ${worst('normalizerLag')}, spark ${worst('sparkLag')} (bound ${bound})`,
        );
        expect(worst('normalizerLag')).toBeLessThanOrEqual(bound);
        expect(worst('sparkLag')).toBeLessThanOrEqual(bound);
        return Promise.resolve();
      },
    );
  });
});

/** The services of the run that are Node processes (all but the Spark job). */
function nodeNames(samples: readonly Sample[]): Set<string> {
  return new Set([...samples[0].rssMb.keys()].filter((n) => n !== 'spark'));
}
