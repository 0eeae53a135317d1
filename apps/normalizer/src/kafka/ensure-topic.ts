import type { Kafka } from 'kafkajs';

/**
 * Creates the topic with the contract's partition count when it does not exist (the stack runs
 * with auto-creation off, so a misspelt topic fails loudly instead of appearing silently).
 */
export async function ensureTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) {
      await admin.createTopics({
        topics: [{ topic, numPartitions: partitions }],
        waitForLeaders: true,
      });
    }
  } finally {
    await admin.disconnect();
  }
}
