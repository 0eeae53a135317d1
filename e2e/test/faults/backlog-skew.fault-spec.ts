/**
 * Fault case 6: a backlog after an outage. The normalizer is stopped while the generator sends
 * 300,000 readings over the raw topic's partitions, then started again: it drains the partitions
 * at different speeds (they hold different numbers of sensors, fetched by size), so the normalized
 * partitions reach Spark far apart in event time. A watermark taken over all partitions at once
 * would pass readings still waiting in the slower ones and drop them as late. The job runs with its
 * default watermark here (2 minutes): nothing may be dropped, every window must be exact.
 */
import { contractOf, TOPICS } from '@citypulse/contracts';
import { uniqueName, waitFor } from '@citypulse/testing';
import type { Kafka } from 'kafkajs';
import { endOffsetTotal, scrape, sum } from '../../src';
import { env, log } from '../harness';
import { faultCase } from './fault-harness';

const BACKLOG = 300_000;
/** FAULTS_WATERMARK_SCOPE=topic runs the job with one watermark over the topic: the loss it measures */
const SCOPE = env.FAULTS_WATERMARK_SCOPE || 'partition';

/** What a single watermark over the topic would have made of the drain (see measureDrain). */
interface Drain {
  /** the largest gap in event time between the normalized partitions' newest readings, ms */
  maxSkewMs: number;
  /** readings that reached the topic behind (newest reading of any partition) - watermark */
  behindTopicWatermark: number;
}

/**
 * The skew the drain put on the normalized topic, measured on the topic itself: its records in the
 * order they were written (Kafka's timestamps: the normalizer's produce time), the newest event
 * time per partition as they arrive. A job reading the topic batch by batch with one watermark
 * over it drops, of `behindTopicWatermark`, those its watermark had already passed: all of them if
 * it runs a micro-batch after every write, fewer with larger batches.
 */
async function measureDrain(kafka: Kafka, watermarkMs: number): Promise<Drain> {
  const topic = TOPICS.trafficNormalized;
  const type = contractOf('trafficNormalized').type;
  const total = await endOffsetTotal(kafka, topic);
  const rows: { at: number; partition: number; eventTime: number }[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('fault-drain-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        const v = type.fromBuffer(m.value!.subarray(5)) as { event_time: number };
        rows.push({ at: Number(m.timestamp), partition: batch.partition, eventTime: v.event_time });
      }
      return Promise.resolve();
    },
  });
  try {
    await waitFor(() => rows.length >= total, {
      timeoutMs: 300_000,
      what: `${total} records of ${topic}`,
    });
  } finally {
    await consumer.disconnect();
  }
  rows.sort((a, b) => a.at - b.at);
  const newest = new Map<number, number>();
  let top = -Infinity;
  let maxSkewMs = 0;
  let behindTopicWatermark = 0;
  for (const r of rows) {
    if (r.eventTime < top - watermarkMs) behindTopicWatermark++;
    newest.set(r.partition, Math.max(newest.get(r.partition) ?? -Infinity, r.eventTime));
    top = Math.max(top, r.eventTime);
    if (newest.size > 1) maxSkewMs = Math.max(maxSkewMs, top - Math.min(...newest.values()));
  }
  return { maxSkewMs, behindTopicWatermark };
}

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
        await waitFor(async () => (await ctx.normalizerLag()) === 0, {
          timeoutMs: 900_000,
          intervalMs: 1_000,
          what: 'the normalizer to drain the backlog',
        });
        const drain = await measureDrain(ctx.pipeline.kafka, 2 * 60_000);
        log(
          `the drain: the normalized partitions were up to ${(drain.maxSkewMs / 60_000).toFixed(1)} ` +
            `simulated minutes apart; ${drain.behindTopicWatermark} readings reached the topic more than ` +
            `the 2-minute watermark behind its newest one (a watermark over the topic drops them when ` +
            `Spark reads the drain as it happens)`,
        );
      },
      async (ctx) => {
        const m = await scrape(`${ctx.pipeline.urls.sparkMetrics}/metrics`);
        const late = sum(m, 'citypulse_spark_stream_late_records_dropped_total', {
          stream: 'traffic',
        });
        log(`Spark (--watermark-scope ${SCOPE}) dropped ${late} readings as late`);
        expect(late).toBe(0);
      },
    );
  });
});
