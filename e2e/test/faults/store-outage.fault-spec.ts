/**
 * Fault case 5: the MongoDB-compatible store (FerretDB) and PostgreSQL stopped together for two
 * minutes under load. The aggregation-sink must hold its memory bounded, commit no offset of a
 * record it has not written to both stores (the aggregate topics keep growing meanwhile), and be
 * exact once they are back.
 */
import { TOPICS } from '@citypulse/contracts';
import { waitFor } from '@citypulse/testing';
import { readFileSync } from 'node:fs';
import type { ManagedProcess } from '../../src';
import { log } from '../harness';
import { faultCase, type FaultContext } from './fault-harness';

const OUTAGE_MS = 120_000;
/** the sink's resident memory may grow this much while the stores are away */
const MAX_GROWTH_MB = 150;
const AGG_TOPICS = [TOPICS.trafficByZone5m, TOPICS.mobilityIndex5m];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The sink group's committed offsets and the topics' end offsets, summed over the aggregate topics. */
async function offsets(ctx: FaultContext): Promise<{ committed: number; end: number }> {
  const p = ctx.pipeline;
  const admin = p.kafka.admin();
  await admin.connect();
  try {
    let committed = 0;
    let end = 0;
    for (const topic of AGG_TOPICS) {
      for (const o of await admin.fetchTopicOffsets(topic)) end += Number(o.high);
      const [c] = await admin.fetchOffsets({ groupId: p.sinkGroup, topics: [topic] });
      for (const x of c.partitions) committed += Math.max(0, Number(x.offset));
    }
    return { committed, end };
  } finally {
    await admin.disconnect();
  }
}

describe('fault: the stores down', () => {
  it(`FerretDB and PostgreSQL down for ${OUTAGE_MS / 1000} s under load: bounded memory, no commit of unwritten records, exact after`, async () => {
    await faultCase({ tag: 'stores' }, async (ctx) => {
      // the whole flow going first: Spark sending window updates, the sink writing and committing
      await waitFor(async () => (await offsets(ctx)).committed > 0, {
        timeoutMs: 900_000,
        intervalMs: 2_000,
        what: 'the sink to commit its first window updates',
      });
      const sink = ctx.pipeline.processes.get('aggregation-sink')!;
      const rss0 = rssMb(sink.pid!);
      await Promise.all([ctx.stack.stop('ferretdb'), ctx.stack.stop('postgres')]);
      try {
        await outage(ctx, sink, rss0);
      } finally {
        // back in any case: the run's own clean-up and the next case need them
        await Promise.all([ctx.stack.start('postgres'), ctx.stack.start('ferretdb')]);
      }
    });
  });
});

/** The two minutes without stores: what the sink does meanwhile. */
async function outage(ctx: FaultContext, sink: ManagedProcess, rss0: number): Promise<void> {
  const t0 = Date.now();
  await sleep(5_000); // a write that was under way when they stopped may still commit
  const atStart = await offsets(ctx);
  let maxRss = rss0;
  let last = atStart;
  while (Date.now() - t0 < OUTAGE_MS) {
    await sleep(5_000);
    maxRss = Math.max(maxRss, rssMb(sink.pid!));
    last = await offsets(ctx);
    expect({ committed: last.committed, since: 'the stores stopped' }).toEqual({
      committed: atStart.committed,
      since: 'the stores stopped',
    });
  }
  log(
    `stores down ${((Date.now() - t0) / 1000).toFixed(0)} s: the aggregate topics grew by ` +
      `${last.end - atStart.end} records, the sink committed none of them; its RSS ` +
      `${rss0.toFixed(0)} MB before, at most ${maxRss.toFixed(0)} MB during`,
  );
  expect(last.end).toBeGreaterThan(atStart.end); // Spark went on: the check above meant something
  expect(maxRss - rss0).toBeLessThan(MAX_GROWTH_MB);
  expect(sink.running && sink.starts === 1).toBe(true); // it waited; it did not crash
}
