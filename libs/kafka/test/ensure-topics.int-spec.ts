import { uniqueName } from '@citypulse/testing';
import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import { ensureTopics, type TopicSpec } from '../src/admin/ensure-topics';
import { deleteTopics, newKafka } from './support/stack';

describe('ensureTopics on the real broker', () => {
  const prefix = uniqueName('kt-ensure');
  let kafka: Kafka;

  beforeAll(() => {
    kafka = newKafka();
  });

  afterAll(async () => {
    await deleteTopics(kafka, prefix);
  });

  it('creates many topics at once and returns only when every partition has a leader', async () => {
    // as many as every contract topic and its DLQ: the first `make demo` of a fresh broker
    // failed here, asking for metadata the broker did not have yet
    const specs: TopicSpec[] = Array.from({ length: 30 }, (_, i) => ({
      topic: `${prefix}.many.${i}`,
      partitions: 3,
    }));
    const created = await ensureTopics(kafka, specs);
    expect(created.sort()).toEqual(specs.map((s) => s.topic).sort());

    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
      expect(topics).toHaveLength(30);
      for (const t of topics) {
        expect(t.partitions).toHaveLength(3);
        expect(t.partitions.every((p) => p.leader >= 0)).toBe(true);
      }
    } finally {
      await admin.disconnect();
    }
    // a second call creates nothing
    expect(await ensureTopics(kafka, specs)).toEqual([]);
  }, 120_000);

  it('lets two processes ensure the same new topics at once', async () => {
    const specs: TopicSpec[] = Array.from({ length: 5 }, (_, i) => ({
      topic: `${prefix}.race.${i}`,
      partitions: 2,
    }));
    const [a, b] = await Promise.all([
      ensureTopics(newKafka(), specs),
      ensureTopics(newKafka(), specs),
    ]);
    // each returns what it found missing; together they cover every topic, and neither failed
    expect(new Set([...a, ...b])).toEqual(new Set(specs.map((s) => s.topic)));
  }, 120_000);

  const configsOf = async (topic: string) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
        includeSynonyms: false,
      });
      return new Map(resources[0]?.configEntries.map((c) => [c.configName, c.configValue]));
    } finally {
      await admin.disconnect();
    }
  };

  /**
   * A topic config's value, waiting up to 10 s for it to be `want`; the last value seen. On a
   * cluster each broker applies a topic's creation and config changes from the metadata log a
   * moment after the controller committed them, and describeConfigs asks any one broker.
   */
  const configEventually = async (topic: string, name: string, want: string) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const seen = (await configsOf(topic).catch(() => undefined))?.get(name);
      if (seen === want || Date.now() > deadline) return seen;
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it('creates a topic with the configs it is given (a compacted topic)', async () => {
    const topic = `${prefix}.compacted`;
    await ensureTopics(kafka, [{ topic, partitions: 1, configs: { 'cleanup.policy': 'compact' } }]);
    expect(await configEventually(topic, 'cleanup.policy', 'compact')).toBe('compact');
  }, 60_000);

  it('sets a config of the spec on a topic created without it, keeping the topic`s own others', async () => {
    // the alerts topic was once created `delete` by a process ensuring every contract topic
    // before the alerting service (whose restart rebuilds from the compacted topic) started
    const topic = `${prefix}.made-wrong`;
    await ensureTopics(kafka, [{ topic, partitions: 1, configs: { 'retention.ms': '3600000' } }]);
    expect(await configEventually(topic, 'cleanup.policy', 'delete')).toBe('delete');
    expect(await configEventually(topic, 'retention.ms', '3600000')).toBe('3600000');
    expect(
      await ensureTopics(kafka, [
        { topic, partitions: 1, configs: { 'cleanup.policy': 'compact' } },
      ]),
    ).toEqual([]);
    expect(await configEventually(topic, 'cleanup.policy', 'compact')).toBe('compact');
    expect(await configEventually(topic, 'retention.ms', '3600000')).toBe('3600000');
  }, 60_000);

  it("creates topics with the cluster's replication: RF 1 on one broker, RF 3 and min ISR 2 on three", async () => {
    // KAFKA_BROKERS decides which: the default stack's one broker, or the cluster profile's three
    // (KAFKA_BROKERS=<KAFKA_CLUSTER_BROKERS>); one broker cannot hold three replicas
    const topic = `${prefix}.replicated`;
    await ensureTopics(kafka, [{ topic, partitions: 3 }]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const brokers = (await admin.describeCluster()).brokers.length;
      const want = brokers >= 3 ? { rf: 3, minIsr: '2' } : { rf: 1, minIsr: '1' };
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(topics[0].partitions.map((p) => p.replicas.length)).toEqual([
        want.rf,
        want.rf,
        want.rf,
      ]);
      expect(await configEventually(topic, 'min.insync.replicas', want.minIsr)).toBe(want.minIsr);
    } finally {
      await admin.disconnect();
    }
  }, 60_000);
});
