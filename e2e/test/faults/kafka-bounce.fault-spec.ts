/**
 * Fault case 1: the broker killed with SIGKILL and restarted five times while the generator
 * produces. Every acknowledged record (the generator's dump) must be counted exactly once.
 */
import { log } from '../harness';
import { faultCase } from './fault-harness';

const KILLS = 5;

describe('fault: Kafka bounced', () => {
  it(`Kafka SIGKILLed and restarted ${KILLS} times under load: every window exact`, async () => {
    // 2,000 readings/s for 200 s: the generator is still producing when the fifth kill comes
    await faultCase(
      { tag: 'kafka', load: { maxEvents: 400_000 } },
      async (ctx) => {
        for (let i = 1; i <= KILLS; i++) {
          await ctx.produceMore(15_000);
          const t = Date.now();
          await ctx.stack.kill('kafka');
          await ctx.stack.start('kafka');
          log(
            `kafka kill ${i}/${KILLS}: healthy again after ${((Date.now() - t) / 1000).toFixed(1)} s`,
          );
        }
      },
      (_ctx, report) => {
        // the generator, the normalizer, the Spark job and the sink each waited for the broker:
        // none had to be restarted by the supervisor
        expect(Object.fromEntries(report.restarts)).toEqual({});
        return Promise.resolve();
      },
    );
  });
});
