/**
 * Fault case 3: a rebalance storm. For a minute, every few seconds a normalizer joins the group or
 * one leaves it (alternately a clean SIGTERM and a SIGKILL, whose partitions wait for its session
 * timeout), while the first instance stays. Every partition moves several times mid-batch.
 */
import { log } from '../harness';
import { faultCase } from './fault-harness';

const STORM_MS = 60_000;
const EVERY_MS = 5_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault: a rebalance storm', () => {
  it('normalizers joining and leaving every few seconds for a minute: every window exact', async () => {
    await faultCase({ tag: 'rebalance' }, async (ctx) => {
      const extras: string[] = [];
      let n = 0;
      let leaves = 0;
      const end = Date.now() + STORM_MS;
      while (Date.now() < end) {
        const t = Date.now();
        if (extras.length === 0 || (extras.length < 3 && n % 3 !== 2)) {
          const name = `normalizer-traffic-${n + 2}`;
          await ctx.addNormalizer(name);
          extras.push(name);
          log(`storm: ${name} joined (${extras.length + 1} instances)`);
        } else {
          const name = extras.shift()!;
          const how = leaves++ % 2 === 0 ? 'term' : 'kill';
          await ctx.removeNormalizer(name, how);
          log(
            `storm: ${name} left (${how === 'term' ? 'SIGTERM' : 'SIGKILL'}; ${extras.length + 1} instances)`,
          );
        }
        n++;
        await sleep(Math.max(0, EVERY_MS - (Date.now() - t)));
      }
      for (const name of extras) await ctx.removeNormalizer(name, 'term');
      log(`storm over: ${n} joins and leaves in ${STORM_MS / 1000} s`);
    });
  });
});
