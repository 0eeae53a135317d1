/**
 * Size limits against the real broker: what a producer is told when a topic refuses a record, and
 * what the consumer does with records over its limits — and with bad records the DLQ topic itself
 * would refuse (near the broker's 1 MB default, or several large ones in one batch) — while the
 * good records around them are handled and nothing is fatal.
 */
import { randomBytes } from 'node:crypto';
import { uniqueName, waitFor } from '@citypulse/testing';
import type { INestMicroservice } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { DLQ_HEADERS, dlqTopicFor, headersToStrings } from '../src/dlq/dlq-headers';
import { KafkaLibError } from '../src/errors';
import { KafkaProducer } from '../src/producer/kafka-producer';
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

jest.setTimeout(180_000);

const MB = 1024 * 1024;
/**
 * The largest value (null key, no headers) a topic with the broker's default max.message.bytes
 * (1,048,588) takes in a batch of its own: 61 bytes of batch header and 11 of record framing.
 */
const LARGEST_ACCEPTED = 1_048_588 - 72;

/** Garbage that is not a Confluent frame (first byte 0xff), of `n` bytes. */
const garbage = (n: number): Buffer => Buffer.concat([Buffer.from([0xff]), randomBytes(n - 1)]);

describe('size limits (real Kafka)', () => {
  const prefix = uniqueName('kt-size');
  let kafka: Kafka;
  let app: INestMicroservice | undefined;

  beforeAll(() => {
    kafka = newKafka();
  });

  afterAll(async () => {
    await app?.close();
    await deleteTopics(kafka, prefix);
  });

  it('tells the producer which topic refused how large a record, and keeps producing after it', async () => {
    const topic = `${prefix}.default-limit`;
    await createTopic(kafka, topic, 1);
    const producer = new KafkaProducer({ kafka, serde: newSerde() });
    await producer.connect();
    try {
      await producer.sendRaw(topic, [{ key: null, value: garbage(LARGEST_ACCEPTED) }]);
      const refused = producer.sendRaw(topic, [
        { key: null, value: garbage(LARGEST_ACCEPTED + 1) },
      ]);
      await expect(refused).rejects.toThrow(KafkaLibError);
      await expect(refused).rejects.toMatchObject({ code: 'RECORD_TOO_LARGE', retriable: false });
      await expect(refused).rejects.toThrow(
        `${topic} refused a record of ${LARGEST_ACCEPTED + 1} bytes (key + value): over the topic's max.message.bytes`,
      );
      const tenMb = producer.sendRaw(topic, [{ key: 'big', value: garbage(10 * MB) }]);
      await expect(tenMb).rejects.toThrow(`refused a record of ${10 * MB + 3} bytes`);
      await producer.sendRaw(topic, [{ key: 'after', value: Buffer.from('still producing') }]);
      const kept = await readMessages(kafka, topic, 2);
      expect(kept.map((m) => m.value!.length)).toEqual([LARGEST_ACCEPTED, 15]);
    } finally {
      await producer.disconnect();
    }
  });

  it('sends records over its limits to the DLQ and records the DLQ topic refuses without their value', async () => {
    // the input takes 11 MiB records; its DLQ (created by the consumer) keeps the broker's 1 MB default
    const topic = `${prefix}.in`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 1,
          configEntries: [{ name: 'max.message.bytes', value: String(11 * MB) }],
        },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();

    const schemaId = await produceEvents(kafka, topic, events(100, 'good'));
    const writer = newSerde().parse(TEST_EVENT);
    const longNote = encodeFrame(
      schemaId,
      writer.toBuffer({ id: 'long', seq: 1, event_time: Date.now(), note: 'x'.repeat(100_000) }),
    );
    const hostile: { key: string; value: Buffer; code: string; omitted: boolean }[] = [
      { key: 'ten-mb', value: garbage(10 * MB), code: 'TOO_LARGE', omitted: true },
      // under the consumer's 1 MiB, but with the DLQ headers over the DLQ topic's 1 MB
      { key: 'near-limit', value: garbage(1_048_400), code: 'BAD_FRAME', omitted: true },
      // three of 400 KB in one batch: more than the DLQ topic takes in one request
      { key: 'four-hundred-a', value: garbage(400_000), code: 'BAD_FRAME', omitted: false },
      { key: 'four-hundred-b', value: garbage(400_000), code: 'BAD_FRAME', omitted: false },
      { key: 'four-hundred-c', value: garbage(400_000), code: 'BAD_FRAME', omitted: false },
      { key: 'long-field', value: longNote, code: 'FIELD_TOO_LONG', omitted: false },
    ];
    const producer = kafka.producer();
    await producer.connect();
    for (const h of hostile)
      await producer.send({ topic, messages: [{ key: h.key, value: h.value }] });
    await producer.disconnect();
    await produceEvents(kafka, topic, events(100, 'good', 100));

    const handled = new Set<string>();
    const fatal: unknown[] = [];
    app = await startNestConsumer<TestEvent>(
      topic,
      { mode: 'batch', maxBatchRecords: 500 },
      {
        kafka: connection,
        registry: registryOptions,
        groupId: uniqueName('kt-size-group'),
        onFatal: (e) => void fatal.push(e),
      },
      (record) => {
        handled.add(record.value.id);
      },
    );
    const dlq = await readMessages(kafka, dlqTopicFor(topic), hostile.length, 120_000);
    await waitFor(() => handled.size === 200, {
      timeoutMs: 60_000,
      what: `200 good records handled (${handled.size})`,
    });
    expect(fatal).toEqual([]);
    expect(handled.has('long')).toBe(false);

    expect(dlq).toHaveLength(hostile.length);
    for (const h of hostile) {
      const m = dlq.find((d) => d.key?.toString() === h.key)!;
      const headers = headersToStrings(m.headers);
      expect({ key: h.key, code: headers[DLQ_HEADERS.errorCode] }).toEqual({
        key: h.key,
        code: h.code,
      });
      expect(headers[DLQ_HEADERS.topic]).toBe(topic);
      if (h.omitted) {
        expect(m.value).toBeNull();
        expect(headers[DLQ_HEADERS.valueOmitted]).toBe(String(h.value.length));
      } else {
        expect(m.value!.equals(h.value)).toBe(true);
        expect(headers[DLQ_HEADERS.valueOmitted]).toBeUndefined();
      }
    }
    const message = (key: string) =>
      headersToStrings(dlq.find((d) => d.key?.toString() === key)!.headers)[
        DLQ_HEADERS.errorMessage
      ];
    expect(message('ten-mb')).toBe(
      `too_large: record of ${10 * MB + 6} bytes (key + value) is over this consumer's limit of 1048576 bytes; not decoded`,
    );
    expect(message('long-field')).toBe(
      "field_too_long: field note is 100000 long, over this consumer's limit of 65536",
    );
  });

  it('sends a record whose key the DLQ topic refuses as a stub, and carries on', async () => {
    // a bad frame with a key of 1,048,400 bytes: the input takes it, the consumer's 1 MiB limit
    // too, but with the DLQ headers it is over the DLQ topic's 1 MB even without its value
    const topic = `${prefix}.stub`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    await produceEvents(kafka, topic, events(50, 'before'));
    const key = Buffer.alloc(1_048_400, 0x6b);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key, value: garbage(1) }] });
    await producer.disconnect();
    await produceEvents(kafka, topic, events(50, 'after', 50));

    const handled = new Set<string>();
    const fatal: unknown[] = [];
    const stubApp = await startNestConsumer<TestEvent>(
      topic,
      { mode: 'batch', maxBatchRecords: 500 },
      {
        kafka: connection,
        registry: registryOptions,
        groupId: uniqueName('kt-size-stub'),
        onFatal: (e) => void fatal.push(e),
      },
      (record) => {
        handled.add(record.value.id);
      },
    );
    try {
      const [stub] = await readMessages(kafka, dlqTopicFor(topic), 1, 120_000);
      await waitFor(() => handled.size === 100, {
        timeoutMs: 60_000,
        what: `100 good records handled (${handled.size})`,
      });
      expect(fatal).toEqual([]);
      expect(stub.key).toBeNull();
      expect(stub.value).toBeNull();
      const headers = headersToStrings(stub.headers);
      expect(headers).toMatchObject({
        [DLQ_HEADERS.topic]: topic,
        [DLQ_HEADERS.errorCode]: 'BAD_FRAME',
        [DLQ_HEADERS.keyOmitted]: '1048400',
        [DLQ_HEADERS.valueOmitted]: '1',
      });
    } finally {
      await stubApp.close();
    }
  });
});
