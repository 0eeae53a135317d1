/**
 * Fault case 4: a normalizer frozen (SIGSTOP) past its session timeout while a second instance of
 * its group takes its partitions over and handles them, then thawed (SIGCONT). The zombie wakes up
 * inside the batch it was handling: it finishes it, producing records the other instance has
 * produced already, and only then learns it lost the partitions (its commit is refused, it rejoins).
 * Those late writes must not count twice anywhere.
 */
import { waitFor } from '@citypulse/testing';
import { log } from '../harness';
import { faultCase } from './fault-harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault: a zombie normalizer', () => {
  it('a normalizer SIGSTOPped past its session timeout, replaced, then SIGCONTed: its late writes count once', async () => {
    await faultCase({ tag: 'zombie' }, async (ctx) => {
      await ctx.addNormalizer('normalizer-traffic-2');
      await waitFor(async () => (await ctx.normalizerMembers()) === 2, {
        timeoutMs: 120_000,
        what: 'two members in the normalizer group',
      });
      await ctx.produceMore(10_000);
      const zombie = ctx.pipeline.processes.get('normalizer-traffic')!;
      await ctx.supervisor.holding('normalizer-traffic', async () => {
        const t0 = Date.now();
        process.kill(zombie.pid!, 'SIGSTOP');
        log('normalizer-traffic frozen (SIGSTOP) in the middle of its work');
        // kafkajs' session timeout (30 s): the coordinator drops the frozen member and gives its
        // partitions to normalizer-traffic-2
        await waitFor(async () => (await ctx.normalizerMembers()) === 1, {
          timeoutMs: 180_000,
          intervalMs: 1_000,
          what: 'the group to drop the frozen member',
        });
        log(`the group dropped the frozen member after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
        await ctx.produceMore(20_000); // normalizer-traffic-2 handles every partition meanwhile
        process.kill(zombie.pid!, 'SIGCONT');
        log(`normalizer-traffic thawed (SIGCONT) after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      });
      await waitFor(async () => (await ctx.normalizerMembers()) === 2, {
        timeoutMs: 120_000,
        what: 'the thawed normalizer to rejoin the group',
      });
      await sleep(5_000);
    });
  });
});
