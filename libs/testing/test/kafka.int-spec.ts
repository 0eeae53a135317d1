// Integration test against the local stack's Kafka (deploy/local/services/kafka): a fresh topic,
// 10,000 records through a real producer and consumer, every key and value accounted for.
import { Admin, Consumer, Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { stackEnv, uniqueName, waitFor } from '../src';

const env = stackEnv();
const RECORDS = 10_000;
const PARTITIONS = 3;

const kafka = new Kafka({
  clientId: uniqueName('kafka-int'),
  brokers: env.KAFKA_BROKERS.split(','),
  // On a fresh broker the first group and the first transaction meet "coordinator loading"
  // errors that kafkajs retries but logs at ERROR; a real failure still fails an assertion.
  logLevel: logLevel.NOTHING,
  // Patient retries: the stack shares two cores with builds and other tests.
  retry: { retries: 10 },
});

describe('Kafka (local stack)', () => {
  let admin: Admin;
  const producers: Producer[] = [];
  const consumers: Consumer[] = [];
  const topics: string[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.allSettled([...consumers, ...producers].map((c) => c.disconnect()));
    if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  async function freshTopic(prefix: string): Promise<string> {
    const topic = uniqueName(prefix);
    topics.push(topic);
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: PARTITIONS }], // replication: the cluster's default
      waitForLeaders: true,
    });
    expect(created).toBe(true);
    return topic;
  }

  it('round-trips 10,000 records through a fresh topic', async () => {
    const topic = await freshTopic('int-roundtrip');
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0].partitions).toHaveLength(PARTITIONS);

    const sent = new Map<string, string>();
    for (let i = 0; i < RECORDS; i++)
      sent.set(`key-${i}`, JSON.stringify({ seq: i, at: Date.now() }));

    const producer = kafka.producer({
      idempotent: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    producers.push(producer);
    await producer.connect();
    const entries = [...sent.entries()];
    for (let i = 0; i < entries.length; i += 1000) {
      await producer.send({
        topic,
        acks: -1,
        messages: entries.slice(i, i + 1000).map(([key, value]) => ({ key, value })),
      });
    }

    const received = new Map<string, string>();
    let duplicates = 0;
    const consumer = kafka.consumer({ groupId: uniqueName('int-roundtrip-group') });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const key = m.key?.toString() ?? '';
          if (received.has(key)) duplicates++;
          received.set(key, m.value?.toString() ?? '');
        }
        await Promise.resolve();
      },
    });

    await waitFor(() => received.size >= RECORDS, {
      timeoutMs: 120_000,
      what: `${RECORDS} records on ${topic}`,
    });
    expect(received.size).toBe(RECORDS);
    expect(duplicates).toBe(0);
    for (const [key, value] of sent) expect(received.get(key)).toBe(value);

    // The offsets agree: every record landed once, spread over the partitions by key.
    const offsets = await admin.fetchTopicOffsets(topic);
    const total = offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    expect(total).toBe(RECORDS);
    expect(offsets.filter((p) => Number(p.high) > 0)).toHaveLength(PARTITIONS);
  });

  it('supports transactions (one-broker transaction log settings)', async () => {
    const topic = await freshTopic('int-tx');
    const producer = kafka.producer({
      transactionalId: uniqueName('int-tx-producer'),
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    producers.push(producer);
    await producer.connect();

    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ key: 'aborted', value: 'never visible' }] });
    await aborted.abort();
    const committed = await producer.transaction();
    await committed.send({ topic, messages: [{ key: 'committed', value: 'visible' }] });
    await committed.commit();

    const seen: string[] = [];
    const consumer = kafka.consumer({
      groupId: uniqueName('int-tx-group'),
      readUncommitted: false,
    });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.key?.toString() ?? '');
        await Promise.resolve();
      },
    });
    await waitFor(() => seen.includes('committed'), {
      timeoutMs: 60_000,
      what: 'the committed record',
    });
    expect(seen).toEqual(['committed']);
  });
});
