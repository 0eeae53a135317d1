import { STREAM_DEFINITIONS, STREAM_NAMES, dlqTopic, type StreamName } from '@citypulse/contracts';
import type { Kafka } from 'kafkajs';

/** A topic to create: its name and partition count. */
export interface TopicSpec {
  topic: string;
  partitions: number;
}

/**
 * The topics of the given streams (default: every stream of libs/contracts) with the partitions
 * topics.json gives them, each followed by its dead-letter topic (same partition count) unless
 * `dlq: false`.
 */
export function contractTopicSpecs(
  streams: readonly StreamName[] = STREAM_NAMES,
  opts: { dlq?: boolean } = {},
): TopicSpec[] {
  const out: TopicSpec[] = [];
  for (const s of streams) {
    const { topic, partitions } = STREAM_DEFINITIONS[s];
    out.push({ topic, partitions });
    if (opts.dlq !== false) out.push({ topic: dlqTopic(topic), partitions });
  }
  return out;
}

/**
 * Creates the topics that do not exist yet (the brokers run with auto-creation off, so a misspelt
 * topic fails loudly) and waits for their leaders. Existing topics are left as they are; a topic
 * created concurrently by another process counts as existing. Returns the topics it created.
 */
export async function ensureTopics(kafka: Kafka, specs: readonly TopicSpec[]): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length === 0) return [];
    await admin.createTopics({
      topics: missing.map((s) => ({ topic: s.topic, numPartitions: s.partitions })),
      waitForLeaders: true,
    });
    return missing.map((s) => s.topic);
  } finally {
    await admin.disconnect();
  }
}

/** `ensureTopics` for contract streams and their DLQs (default: every stream). */
export function ensureContractTopics(
  kafka: Kafka,
  streams: readonly StreamName[] = STREAM_NAMES,
  opts: { dlq?: boolean } = {},
): Promise<string[]> {
  return ensureTopics(kafka, contractTopicSpecs(streams, opts));
}
