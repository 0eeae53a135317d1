/**
 * Fault case 6: a backlog after an outage. The normalizer is stopped while the generator sends
 * 300,000 readings over the raw topic's partitions, then started again: it drains the partitions
 * at different speeds (they hold different numbers of sensors, fetched by size), so the normalized
 * partitions reach Spark far apart in event time. A watermark taken over all partitions at once
 * would pass readings still waiting in the slower ones and drop them as late. The job runs with its
 * default watermark here (2 minutes): nothing may be dropped, every window must be exact.
 */
import { scrape, sum } from '../../src';
import { env, log } from '../harness';
import { faultCase } from './fault-harness';

const BACKLOG = 300_000;
/** FAULTS_WATERMARK_SCOPE=topic runs the job with one watermark over the topic: the loss it measures */
const SCOPE = env.FAULTS_WATERMARK_SCOPE || 'partition';

describe('fault: a backlog drained unevenly', () => {
  it(`the normalizer away while ${BACKLOG} readings pile up, then back: nothing dropped as late`, async () => {
    await faultCase(
      {
        tag: 'backlog',
        watermarkMs: 2 * 60_000,
        sparkArgs: ['--watermark-scope', SCOPE],
        // 5,000 readings/s, every sensor every 0.1 simulated s: 11 simulated s per wall second
        load: { rate: 5_000, intervalSeconds: 0.1, maxEvents: 360_000 },
      },
      async (ctx) => {
        await ctx.produceMore(20_000);
        const normalizer = 'normalizer-traffic';
        await ctx.supervisor.holding(normalizer, async () => {
          await ctx.pipeline.processes.get(normalizer)!.stop();
          log(`normalizer stopped; letting ${BACKLOG} readings pile up`);
          await ctx.produceMore(BACKLOG);
          // Spark live and waiting for data, as it would be: it reads the drain as it happens
          await ctx.sparkCaughtUp();
          log(
            `backlog: ${await ctx.normalizerLag()} records; Spark caught up; starting the normalizer`,
          );
          await ctx.pipeline.restart(normalizer);
        });
      },
      async (ctx) => {
        const m = await scrape(`${ctx.pipeline.urls.sparkMetrics}/metrics`);
        const late = sum(m, 'citypulse_spark_stream_late_records_dropped_total', {
          stream: 'traffic',
        });
        log(`Spark dropped ${late} traffic readings as late`);
        expect(late).toBe(0);
      },
    );
  });
});
