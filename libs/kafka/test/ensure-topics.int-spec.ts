import { uniqueName } from '@citypulse/testing';
import type { Kafka } from 'kafkajs';
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

  it('creates a topic with the configs it is given (a compacted topic)', async () => {
    const topic = `${prefix}.compacted`;
    await ensureTopics(kafka, [{ topic, partitions: 1, configs: { 'cleanup.policy': 'compact' } }]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        resources: [{ type: 2 /* TOPIC */, name: topic, configNames: ['cleanup.policy'] }],
        includeSynonyms: false,
      });
      expect(
        resources[0]?.configEntries.find((c) => c.configName === 'cleanup.policy')?.configValue,
      ).toBe('compact');
    } finally {
      await admin.disconnect();
    }
  }, 60_000);
});
