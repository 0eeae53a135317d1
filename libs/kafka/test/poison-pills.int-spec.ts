import { randomBytes } from 'node:crypto';
import { uniqueName, waitFor } from '@citypulse/testing';
import type { INestMicroservice } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { DLQ_HEADERS, dlqTopicFor, headersToStrings } from '../src/dlq/dlq-headers';
import { InvalidRecordError } from '../src/errors';
import type { KafkaMetrics } from '../src/metrics';
import { encodeFrame } from '../src/wire/confluent-frame';
import { startNestConsumer } from './support/nest-app';
import {
  connection,
  createTopic,
  deleteTopics,
  events,
  newKafka,
  newSerde,
  produceEvents,
  readMessages,
  registryOptions,
  TEST_EVENT,
  type TestEvent,
} from './support/stack';

const GOOD = 10_000;
const UNKNOWN_ID = 2_000_000_000;

function recordingMetrics() {
  const dlq: string[] = [];
  let consumed = 0;
  const m: KafkaMetrics = {
    consumed: (_t, n) => (consumed += n),
    produced: () => undefined,
    handlerDuration: () => undefined,
    batchSize: () => undefined,
    dlq: (_t, reason) => dlq.push(reason),
    retry: () => undefined,
    lag: () => undefined,
    e2eLatency: () => undefined,
  };
  return { m, dlq, consumed: () => consumed };
}

describe.each(['record', 'batch'] as const)('poison pills (%s mode)', (mode) => {
  const prefix = uniqueName(`kt-poison-${mode}`);
  const topic = `${prefix}.in`;
  let kafka: Kafka;
  let app: INestMicroservice | undefined;

  beforeAll(async () => {
    kafka = newKafka();
    await createTopic(kafka, topic, 3);
  });

  afterAll(async () => {
    await app?.close();
    await deleteTopics(kafka, prefix);
  });

  it('land in <topic>.dlq with every header while each good record around them is handled', async () => {
    // 5,000 good, three poison pills on partition 1, 5,000 good.
    const schemaId = await produceEvents(kafka, topic, events(GOOD / 2, 'good'));
    const producer = kafka.producer();
    await producer.connect();
    const serde = newSerde();
    const writer = serde.parse(TEST_EVENT);
    const ts = '1700000000000';
    const pills = [
      {
        kind: 'random bytes',
        value: Buffer.concat([Buffer.from([0xde]), randomBytes(63)]),
        schemaId: '',
      },
      {
        kind: 'unknown schema id',
        value: encodeFrame(
          UNKNOWN_ID,
          writer.toBuffer({ id: 'ghost', seq: 1, event_time: Date.now(), note: '' }),
        ),
        schemaId: String(UNKNOWN_ID),
      },
      {
        kind: 'rejected by the handler',
        value: encodeFrame(
          schemaId,
          writer.toBuffer({ id: 'reject-me', seq: 2, event_time: Date.now(), note: 'reject' }),
        ),
        schemaId: String(schemaId),
      },
    ];
    const offsets: string[] = [];
    for (const [i, p] of pills.entries()) {
      const [meta] = await producer.send({
        topic,
        messages: [
          {
            key: `poison-${i}`,
            value: p.value,
            partition: 1,
            timestamp: ts,
            headers: { traceparent: `trace-${i}` },
          },
        ],
      });
      offsets.push(meta.baseOffset!);
    }
    await producer.disconnect();
    await produceEvents(kafka, topic, events(GOOD / 2, 'good', GOOD / 2));

    const handled = new Map<string, number>();
    const metrics = recordingMetrics();
    const fatal: unknown[] = [];
    app = await startNestConsumer<TestEvent>(
      topic,
      { mode, maxBatchRecords: 500 },
      {
        kafka: connection,
        registry: registryOptions,
        groupId: uniqueName('kt-poison-group'),
        service: 'poison-test',
        metrics: metrics.m,
        onFatal: (e) => void fatal.push(e),
      },
      (record) => {
        if (record.value.note === 'reject')
          throw new InvalidRecordError(`record ${record.value.id} says reject`);
        handled.set(record.value.id, (handled.get(record.value.id) ?? 0) + 1);
      },
    );

    await waitFor(() => handled.size === GOOD && metrics.dlq.length === 3, {
      timeoutMs: 120_000,
      what: `all ${GOOD} good records handled (${handled.size}) and 3 in the DLQ (${metrics.dlq.length})`,
    });
    expect(fatal).toEqual([]);
    for (let i = 0; i < GOOD; i++) expect(handled.has(`good-${i}`)).toBe(true);
    expect(handled.has('reject-me')).toBe(false);
    expect(metrics.dlq.sort()).toEqual(['BAD_FRAME', 'INVALID_RECORD', 'UNKNOWN_SCHEMA']);
    await waitFor(() => metrics.consumed() === GOOD + 3, { what: 'consumed count' });

    const dlq = await readMessages(kafka, dlqTopicFor(topic), 3);
    expect(dlq).toHaveLength(3);
    for (const [i, p] of pills.entries()) {
      const m = dlq.find((d) => d.key?.toString() === `poison-${i}`);
      expect(m).toBeDefined();
      expect(m!.value!.equals(p.value)).toBe(true);
      const h = headersToStrings(m!.headers);
      expect(h).toMatchObject({
        [DLQ_HEADERS.topic]: topic,
        [DLQ_HEADERS.partition]: '1',
        [DLQ_HEADERS.offset]: offsets[i],
        [DLQ_HEADERS.timestamp]: ts,
        [DLQ_HEADERS.schemaId]: p.schemaId,
        [DLQ_HEADERS.service]: 'poison-test',
        [DLQ_HEADERS.attempt]: '1',
        traceparent: `trace-${i}`,
      });
      expect(h[DLQ_HEADERS.errorClass]).toBe(i === 2 ? 'InvalidRecordError' : 'DecodeError');
      expect(h[DLQ_HEADERS.errorCode]).toBe(['BAD_FRAME', 'UNKNOWN_SCHEMA', 'INVALID_RECORD'][i]);
      expect(h[DLQ_HEADERS.errorMessage].length).toBeGreaterThan(0);
      expect(Number(h[DLQ_HEADERS.failedAt])).toBeGreaterThan(0);
    }
  });
});
