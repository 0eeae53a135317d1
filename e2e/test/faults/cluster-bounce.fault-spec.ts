/**
 * Fault case 1 on the cluster profile (`make test-faults-cluster`): the flow on three brokers (RF 3,
 * min.insync.replicas 2) and the Spark job on the standalone master; one broker of the three killed
 * with SIGKILL at a time, each in turn, for ROUNDS rounds, while the generator produces. With one
 * broker away every partition still has a leader and two in-sync replicas, so the flow must keep
 * going; every acknowledged record (the generator's dump) must be counted exactly once.
 */
import { waitFor } from '@citypulse/testing';
import { httpJson } from '../../src';
import { env, log } from '../harness';
import { CLUSTER_BROKERS, faultCase, type FaultContext } from './fault-harness';

const ROUNDS = 2;
const KILLS = ROUNDS * CLUSTER_BROKERS.length;

/** The applications the standalone master runs now (its web UI's /json/). */
async function masterApps(): Promise<string[] | undefined> {
  const state = await httpJson<{ activeapps?: { name: string; state: string }[] }>(
    `http://127.0.0.1:${env.SPARK_MASTER_UI_PORT}/json/`,
  );
  return state?.activeapps?.filter((a) => a.state === 'RUNNING').map((a) => a.name);
}

/** Waits until every partition of every topic has all its replicas in sync again. */
async function fullyReplicated(ctx: FaultContext): Promise<void> {
  const t = Date.now();
  await waitFor(async () => (await ctx.underReplicated()) === 0, {
    timeoutMs: 600_000,
    intervalMs: 1_000,
    what: 'every partition to have its three replicas in sync',
  });
  log(`every partition fully in sync (waited ${((Date.now() - t) / 1000).toFixed(1)} s)`);
}

describe('fault: a broker of three bounced', () => {
  it(`one broker of three SIGKILLed and restarted at a time, ${KILLS} times under load: every window exact`, async () => {
    // 2,000 readings/s; the cap is never reached (the case stops the generator after the kills)
    await faultCase(
      { tag: 'cluster', cluster: true, load: { maxEvents: 3_000_000 } },
      async (ctx) => {
        // the Spark job runs on the standalone master, not in local mode
        const apps = await masterApps();
        log(`the standalone master runs: ${apps?.join(', ') ?? '?'}`);
        expect(apps?.length).toBeGreaterThan(0);
        for (let i = 1; i <= KILLS; i++) {
          const broker = CLUSTER_BROKERS[(i - 1) % CLUSTER_BROKERS.length];
          await ctx.produceMore(15_000);
          await fullyReplicated(ctx); // one broker away at a time: the previous one is back in sync
          const sent = await ctx.sent();
          const normalized = await ctx.normalized();
          const t = Date.now();
          await ctx.stack.kill(broker);
          await ctx.stack.start(broker);
          const [sentAfter, normalizedAfter] = [await ctx.sent(), await ctx.normalized()];
          log(
            `${broker} kill ${i}/${KILLS}: healthy again after ${((Date.now() - t) / 1000).toFixed(1)} s; ` +
              `meanwhile the generator sent ${sentAfter - sent}, the normalizer wrote ` +
              `${normalizedAfter !== undefined && normalized !== undefined ? normalizedAfter - normalized : '?'}`,
          );
          // the flow kept going with one broker away
          expect(sentAfter).toBeGreaterThan(sent);
        }
        await fullyReplicated(ctx);
        // and goes on after the last restart
        await ctx.produceMore(15_000);
      },
      (_ctx, report) => {
        // the generator, the normalizer, the Spark job and the sink each rode the kills out: none
        // had to be restarted by the supervisor
        expect(Object.fromEntries(report.restarts)).toEqual({});
        return Promise.resolve();
      },
    );
  });
});
