import { STREAM_DEFINITIONS, STREAM_NAMES, dlqTopic, type StreamName } from '@citypulse/contracts';
import { ConfigResourceTypes, ConfigSource, type Admin, type Kafka } from 'kafkajs';

/** In a CreateTopics request: the brokers' default (replication factor, partition count). */
const CLUSTER_DEFAULT = -1;

/** A topic to create: its name and partition count (absent: the broker's default). */
export interface TopicSpec {
  topic: string;
  partitions?: number;
  /**
   * Topic configs (e.g. `cleanup.policy: compact`): set when the topic is created, and set on an
   * existing topic that has another value (its other configs are kept).
   */
  configs?: Record<string, string>;
}

/**
 * The topics of the given streams (default: every stream of libs/contracts) with the partitions
 * and configs topics.json gives them, each followed by its dead-letter topic (same partition
 * count, default configs) unless `dlq: false`.
 */
export function contractTopicSpecs(
  streams: readonly StreamName[] = STREAM_NAMES,
  opts: { dlq?: boolean } = {},
): TopicSpec[] {
  const out: TopicSpec[] = [];
  for (const s of streams) {
    const def: { topic: string; partitions: number; configs?: Record<string, string> } =
      STREAM_DEFINITIONS[s];
    const { topic, partitions, configs } = def;
    out.push({ topic, partitions, ...(configs && { configs }) });
    if (opts.dlq !== false) out.push({ topic: dlqTopic(topic), partitions });
  }
  return out;
}

/**
 * Creates the topics that do not exist yet (the brokers run with auto-creation off, so a misspelt
 * topic fails loudly) and returns once every partition of every given topic has a leader.
 * An existing topic keeps its partitions; a config its spec names (a compacted topic) is set on it
 * when it has another value, since whoever created it first may not have known (the alerts topic
 * was once created `delete` by a process ensuring every contract topic before the alerting
 * service, whose restart rebuilds from it, ever ran). A topic created concurrently by another
 * process counts as existing. Returns the topics it created.
 *
 * kafkajs' own `waitForLeaders` asks for the new topics' metadata once and fails on the answer a
 * broker gives for a moment after creating many topics at once (UNKNOWN_TOPIC_OR_PARTITION: seen
 * on a fresh broker creating every contract topic, the first `make demo` of a machine), so the
 * leaders are awaited here, retrying with backoff until `timeoutMs`.
 *
 * Replication is the cluster's: a topic is created with the brokers' `default.replication.factor`
 * and keeps their `min.insync.replicas` (the request's replication factor -1, KIP-464), which the
 * native brokers derive from their controller quorum (deploy/local/services/kafka/broker.sh
 * `kafka_replication`: one broker 1 and 1, the cluster profile's three 3 and 2) and compose's
 * Redpanda takes from REDPANDA_REPLICATION_FACTOR. No client spells a replication factor, so the
 * same services run on one broker and on three. (A count of the live brokers would be the wrong
 * source: a topic created while one of three is down would stay RF 2 for good, where KRaft places
 * the third replica on the registered broker that is down and it catches up when it returns.)
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
          replicationFactor: CLUSTER_DEFAULT,
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
    await reconcileConfigs(
      admin,
      specs.filter((s) => existing.has(s.topic) && s.configs),
    );
    return missing.map((s) => s.topic);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Sets the spec's configs on existing topics that differ. AlterConfigs replaces a topic's whole
 * set of topic-level configs, so the ones set on the topic before are sent along unchanged.
 */
async function reconcileConfigs(admin: Admin, specs: readonly TopicSpec[]): Promise<void> {
  if (specs.length === 0) return;
  const { resources } = await admin.describeConfigs({
    resources: specs.map((s) => ({ type: ConfigResourceTypes.TOPIC, name: s.topic })),
    includeSynonyms: false,
  });
  const changes = [];
  for (const s of specs) {
    const entries = resources.find((r) => r.resourceName === s.topic)?.configEntries ?? [];
    const current = new Map(entries.map((e) => [e.configName, e.configValue]));
    const wrong = Object.entries(s.configs ?? {}).filter(([k, v]) => current.get(k) !== v);
    if (wrong.length === 0) continue;
    const own = entries
      .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG && !(e.configName in s.configs!))
      .map((e) => ({ name: e.configName, value: e.configValue }));
    changes.push({
      type: ConfigResourceTypes.TOPIC,
      name: s.topic,
      configEntries: [
        ...own,
        ...Object.entries(s.configs!).map(([name, value]) => ({ name, value })),
      ],
    });
  }
  if (changes.length > 0) await admin.alterConfigs({ validateOnly: false, resources: changes });
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
