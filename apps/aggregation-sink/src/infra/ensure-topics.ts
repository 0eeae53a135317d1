import { STREAM_DEFINITIONS, type StreamName } from '@citypulse/contracts';
import type { Kafka } from 'kafkajs';

/**
 * Creates the consumed topics with the contract's partition count when they do not exist yet
 * (the stack runs with auto-creation off), so the sink can start before the Spark job has
 * produced anything. An existing topic is left as it is.
 */
export async function ensureTopics(kafka: Kafka, streams: readonly StreamName[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = streams
      .map((s) => STREAM_DEFINITIONS[s])
      .filter((d) => !existing.has(d.topic))
      .map((d) => ({ topic: d.topic, numPartitions: d.partitions }));
    if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}
