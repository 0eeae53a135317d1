/**
 * Fault case 10: a soak. No fault: the flow at a steady rate for SOAK_MINUTES (10), then the same
 * exact check as every case (nothing lost, nothing counted twice). Meanwhile, every 10 s, the
 * resident memory of each service of the run (the process and its children: the Spark job's JVM
 * under its Python) and the lag of the normalizer's group and of Spark's windows query.
 *
 * What must hold besides the windows: after a warm-up (the first half of the run) no service's
 * RSS grows by 10 % or more, and the lags stay bounded: in the second half of the run neither exceeds
 * what the generator sends in SOAK_MAX_LAG_SECONDS (60). The warm-up is half the run because the
 * Spark job's JVM takes its heap from the OS lazily: in the first 10-minute run its RSS went
 * 485 MB -> 1,180 MB in the first 6 minutes, then 1,360-1,426 MB (its heap limit is 1 GB).
 *
 * Growth is the trend, not two snapshots: the least-squares slope of each service's RSS over the
 * second half, times that half's length, against the half's mean RSS. A Node service's RSS swings
 * with its garbage collector (the sink's went 99 -> 130 -> 117 MB within minutes while its V8 heap
 * in use stayed at 33-46 MB), so the mean of two 2-minute stretches (the first measure here) read
 * such a swing as 11 % growth; a leak shows as a slope, a swing does not. The sink's heap in use is
 * logged beside it.
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
  /** the sink's V8 heap in use (prom-client's nodejs_heap_size_used_bytes): a leak grows it, lazy RSS does not */
  sinkHeapMb?: number;
}

async function heapUsedMb(url: string): Promise<number | undefined> {
  const m = await scrape(url);
  return m ? Math.round(sum(m, 'nodejs_heap_size_used_bytes') / 1e6) : undefined;
}

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
        const gen = ctx.pipeline.processes.get('sensor-generator')!;
        const t0 = Date.now();
        while (gen.running) {
          const rssMb = new Map<string, number>();
          for (const [name, proc] of ctx.pipeline.processes)
            if (proc.running && proc.pid)
              rssMb.set(name, memory.treeMemory(memory.tree(proc.pid)).rssMb);
          const s: Sample = {
            at: (Date.now() - t0) / 1000,
            rssMb,
            normalizerLag: await ctx.normalizerLag(),
            sparkLag: await ctx.sparkLag(),
            sinkHeapMb: await heapUsedMb(`${ctx.pipeline.urls.sinkMetrics}/metrics`),
          };
          samples.push(s);
          log(
            `soak ${s.at.toFixed(0)} s: ${[...rssMb].map(([n, mb]) => `${n} ${mb} MB`).join(', ')}; ` +
              `lag: normalizer ${s.normalizerLag}, spark ${s.sparkLag ?? '?'}; sink heap used ${s.sinkHeapMb ?? '?'} MB`,
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
        const growth: Record<string, number> = {};
        for (const name of samples[0].rssMb.keys())
          growth[name] = trendGrowthPct(after.map((s) => [s.at, s.rssMb.get(name) ?? 0]));
        const heap = (xs: Sample[]) => mean(xs.map((s) => s.sinkHeapMb ?? 0)).toFixed(0);
        log(
          `soak: RSS growth after warm-up, % (trend over the second half): ${JSON.stringify(growth)}; ` +
            `the sink's heap in use ${heap(after.slice(0, 12))} -> ${heap(after.slice(-12))} MB`,
        );
        for (const [name, pct] of Object.entries(growth))
          expect({ name, growthBelow10Pct: pct < 10 }).toEqual({ name, growthBelow10Pct: true });
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
