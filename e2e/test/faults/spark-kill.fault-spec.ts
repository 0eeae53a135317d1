/**
 * Fault case 2: the Spark job killed with SIGKILL in the middle of a micro-batch (its offset log
 * has batch N, its commit log not yet) and restarted from its checkpoint, twice. Spark runs batch
 * N again with the same offsets and watermark; the windows query must neither lose nor count
 * twice what N had already written (window state, gold, the aggregate topic).
 */
import { waitFor } from '@citypulse/testing';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../harness';
import { faultCase } from './fault-harness';

const KILLS = 2;

/** The newest batch id in a checkpoint log folder (offsets/ or commits/), -1 when none. */
function newest(dir: string): number {
  try {
    return Math.max(
      -1,
      ...readdirSync(dir)
        .filter((f) => /^\d+$/.test(f))
        .map(Number),
    );
  } catch {
    return -1;
  }
}

describe('fault: Spark killed mid-batch', () => {
  it(`the Spark job SIGKILLed mid-batch and restarted from its checkpoint ${KILLS} times: every window exact`, async () => {
    const opts = {
      tag: 'spark',
      load: { rate: 2_500, maxEvents: 150_000 },
      // micro-batches of at most 15,000 readings: many batches to kill one of
      sparkArgs: ['--max-offsets-per-trigger', '15000'],
    };
    await faultCase(opts, async (ctx) => {
      const checkpoint = join(ctx.pipeline.env.CHECKPOINT_DIR, 'windows_traffic');
      let killed = 0;
      for (let i = 1; i <= KILLS; i++) {
        // mid-batch (not the first): Spark has logged the batch's offsets, not yet committed it
        const batch = await waitFor(
          () => {
            const started = newest(join(checkpoint, 'offsets'));
            const committed = newest(join(checkpoint, 'commits'));
            return started > killed && started > committed ? started : false;
          },
          { timeoutMs: 900_000, intervalMs: 20, what: 'a windows batch in flight' },
        );
        killed = batch;
        await ctx.supervisor.holding('spark', async () => {
          await ctx.pipeline.kill9('spark');
          log(`spark kill ${i}/${KILLS}: SIGKILL during windows batch ${batch}; restarting it`);
          await ctx.pipeline.restart('spark');
        });
        const again = newest(join(checkpoint, 'commits'));
        log(`spark ready again (commits up to ${again}); batch ${batch} is run again`);
      }
    });
  });
});
