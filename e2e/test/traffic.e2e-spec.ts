/**
 * The traffic flow end to end on the real stack (`make up`): sensor-generator records (its own
 * library and Kafka sink, fixed seed, bounded) -> traffic.raw -> normalizer -> traffic.normalized
 * -> Spark -> agg topics -> aggregation-sink -> MongoDB + PostgreSQL, and Spark -> gold Parquet.
 * The outputs are compared with an independent computation of the same windows (expected.ts).
 *
 * Lateness is made deterministic by sending in watermark-safe chunks (harness.ts).
 */
import { TOPICS } from '@citypulse/contracts';
import { loadCity } from '@citypulse/postgres';
import { generateRecords } from '@citypulse/sensor-generator';
import { waitFor } from '@citypulse/testing';
import { normalizerOf } from '../src';
import { NormalizerModel, trafficAggregates as expected } from './expected';
import { endRun, log, sendSequence, START, startRun, verifyRun, type Run } from './harness';

const EVENTS = 5_000;
const SEED = 'citypulse-e2e';
const INTERVAL_MS = 30_000;
const FAULTS = {
  duplicates: 0.02,
  outOfOrder: 0.03,
  late: 0.004,
  malformed: 0.01,
  brokenAvro: 0.004,
  messyIds: 0.03,
};

/** The generator's 5,000 records, every fault in them, sent in watermark-safe chunks. */
function send(run: Run, midway?: () => Promise<void>) {
  const city = loadCity();
  const records = [
    ...generateRecords(
      { seed: SEED, city, startTime: START, intervalMs: INTERVAL_MS, faults: FAULTS },
      EVENTS,
    ),
  ];
  const model = new NormalizerModel(city, Date.now());
  return sendSequence(run, records, (r) => model.judge(r), midway);
}

describe('traffic flow end to end', () => {
  let run: Run | undefined;
  let failed = false;

  afterEach(async () => {
    await endRun(run, failed);
    run = undefined;
  });

  it('turns a faulty deterministic sequence into exactly the expected windows, DLQ and late count', async () => {
    failed = true;
    run = await startRun('e2e', 'traffic');
    const t0 = Date.now();
    const plan = await send(run);
    expect(plan.late.size).toBeGreaterThan(0);
    await verifyRun(run, plan, expected, t0, { exactLate: true });
    failed = false;
  });

  it('stays exact when the normalizer is killed with SIGKILL mid-run and restarted', async () => {
    failed = true;
    run = await startRun('e2e-kill', 'traffic');
    const p = run.pipeline;
    const normalizer = normalizerOf('traffic');
    const t0 = Date.now();
    const plan = await send(run, async () => {
      // The chunk just sent is in flight: kill the normalizer as soon as its first output is
      // acknowledged, before it commits, so the restarted one handles part of the chunk again.
      const admin = p.kafka.admin();
      await admin.connect();
      const out = async () =>
        (await admin.fetchTopicOffsets(TOPICS.trafficNormalized)).reduce(
          (n, o) => n + Number(o.high),
          0,
        );
      const before = await out();
      await waitFor(async () => (await out()) > before, { timeoutMs: 10_000, intervalMs: 1 }).catch(
        () => undefined,
      );
      await admin.disconnect();
      await p.kill9(normalizer);
      log('normalizer killed with SIGKILL; restarting it');
      await p.restart(normalizer);
    });
    expect(p.processes.get(normalizer)?.starts).toBe(2);
    await verifyRun(run, plan, expected, t0, { exactLate: false });
    failed = false;
  });
});
