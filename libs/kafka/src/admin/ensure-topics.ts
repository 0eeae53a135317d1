import { STREAM_DEFINITIONS, STREAM_NAMES, dlqTopic, type StreamName } from '@citypulse/contracts';
import type { Admin, Kafka } from 'kafkajs';

/** A topic to create: its name and partition count (absent: the broker's default). */
export interface TopicSpec {
  topic: string;
  partitions?: number;
  /** Topic configs set when the topic is created (e.g. `cleanup.policy: compact`); an existing topic keeps its own. */
  configs?: Record<string, string>;
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
 * topic fails loudly) and returns once every partition of every given topic has a leader.
 * Existing topics are left as they are; a topic created concurrently by another process counts as
 * existing. Returns the topics it created.
 *
 * kafkajs' own `waitForLeaders` asks for the new topics' metadata once and fails on the answer a
 * broker gives for a moment after creating many topics at once (UNKNOWN_TOPIC_OR_PARTITION: seen
 * on a fresh broker creating every contract topic, the first `make demo` of a machine), so the
 * leaders are awaited here, retrying with backoff until `timeoutMs`.
 */
export async function ensureTopics(
  kafka: Kafka,
  specs: readonly TopicSpec[],
  opts: { timeoutMs?: number } = {},
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions,
          ...(s.configs && {
            configEntries: Object.entries(s.configs).map(([name, value]) => ({ name, value })),
          }),
        })),
        waitForLeaders: false,
      });
    }
    await waitForLeaders(
      admin,
      specs.map((s) => s.topic),
      opts.timeoutMs ?? 60_000,
    );
    return missing.map((s) => s.topic);
  } finally {
    await admin.disconnect();
  }
}

async function waitForLeaders(admin: Admin, topics: string[], timeoutMs: number): Promise<void> {
  if (topics.length === 0) return;
  const deadline = Date.now() + timeoutMs;
  let delayMs = 100;
  let last = 'no metadata yet';
  for (;;) {
    try {
      const { topics: md } = await admin.fetchTopicMetadata({ topics });
      const leaderless = md.filter(
        (t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0),
      );
      if (leaderless.length === 0) return;
      last = `no leader yet for ${leaderless.map((t) => t.name).join(', ')}`;
    } catch (err) {
      // right after creation the broker may not know the topic yet; anything else persists and
      // is reported when the time is up
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) {
      throw new Error(`topics ${topics.join(', ')} not ready after ${timeoutMs} ms: ${last}`);
    }
    await new Promise((r) => setTimeout(r, delayMs));
    delayMs = Math.min(delayMs * 2, 1_000);
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
