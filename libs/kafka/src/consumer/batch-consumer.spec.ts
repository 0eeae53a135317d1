import type { EachBatchPayload, Kafka, KafkaMessage, Message } from 'kafkajs';
import { InvalidRecordError } from '../errors';
import { DLQ_HEADERS, headersToStrings } from '../dlq/dlq-headers';
import { messageBytes } from '../dlq/dlq-batches';
import { NOOP_METRICS, type KafkaMetrics } from '../metrics';
import { AvroSerde, type RegistryApi } from '../serde/avro-serde';
import { BatchConsumer } from './batch-consumer';
import type { BatchHandlerContext, HandlerRegistration, KafkaRecord } from './types';

/**
 * The engine without a broker: a batch is handed to it as kafkajs would, and the DLQ producer is a
 * stand-in that refuses a record over the DLQ topic's max.message.bytes as the broker does.
 */

const TOPIC = 'unit.in';
const DLQ_MAX_MESSAGE_BYTES = 1_048_588;
const schema = {
  type: 'record' as const,
  name: 'Unit',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'event_time', type: 'long' },
  ],
};

const noRegistry: RegistryApi = {
  schemaById: () => Promise.reject(new Error('not used')),
  register: () => Promise.resolve(1),
  latest: () => Promise.reject(new Error('not used')),
};

interface Harness {
  consumer: BatchConsumer;
  sent: Message[];
  fatal: jest.Mock;
  warnings: string[];
  run(messages: KafkaMessage[]): Promise<string[]>;
  frame(id: string): Buffer;
}

async function harness(
  reg: (serde: AvroSerde) => HandlerRegistration,
  opts: { metrics?: KafkaMetrics; maxRecordBytes?: number } = {},
): Promise<Harness> {
  const serde = new AvroSerde(noRegistry);
  const schemaId = await serde.register(`${TOPIC}-value`, schema);
  const sent: Message[] = [];
  const warnings: string[] = [];
  const fatal = jest.fn();
  const consumer = new BatchConsumer({
    kafka: {} as Kafka,
    serde,
    groupId: 'g',
    service: 'unit',
    handlers: [reg(serde)],
    ensureDlqTopics: false,
    metrics: opts.metrics ?? NOOP_METRICS,
    ...(opts.maxRecordBytes ? { maxRecordBytes: opts.maxRecordBytes } : {}),
    logger: { log: () => undefined, warn: (m: string) => warnings.push(m), error: () => undefined },
    onFatal: fatal,
    backoff: { initialMs: 1, maxMs: 1, maxAttempts: 2 },
  });
  const inner = consumer as unknown as {
    producer: { sendRaw(topic: string, ms: Message[]): Promise<void>; disconnect(): Promise<void> };
    onBatch(p: EachBatchPayload): Promise<void>;
  };
  inner.producer = {
    sendRaw: (topic, ms) => {
      expect(topic).toBe(`${TOPIC}.dlq`);
      const bytes = ms.reduce((n, m) => n + messageBytes(m), 0);
      if (bytes > DLQ_MAX_MESSAGE_BYTES) {
        const e = Object.assign(new Error('The request included a message larger than the max'), {
          name: 'KafkaJSProtocolError',
          type: 'MESSAGE_TOO_LARGE',
          retriable: false,
        });
        return Promise.reject(e);
      }
      sent.push(...ms);
      return Promise.resolve();
    },
    disconnect: () => Promise.resolve(),
  };
  const run = async (messages: KafkaMessage[]) => {
    const resolved: string[] = [];
    await inner.onBatch({
      batch: { topic: TOPIC, partition: 0, messages, offsetLag: () => '0' },
      resolveOffset: (o: string) => resolved.push(o),
      heartbeat: () => Promise.resolve(),
      commitOffsetsIfNecessary: () => Promise.resolve(),
      uncommittedOffsets: () => ({ topics: [] }),
      isStale: () => false,
      isRunning: () => true,
      pause: () => () => undefined,
    } as unknown as EachBatchPayload);
    return resolved;
  };
  const frame = (id: string) => serde.encode(schemaId, { id, event_time: Date.now() - 1_000 });
  return { consumer, sent, fatal, warnings, run, frame };
}

const message = (
  offset: number,
  m: Partial<Pick<KafkaMessage, 'key' | 'value' | 'headers'>>,
): KafkaMessage => ({
  key: null,
  value: null,
  headers: {},
  timestamp: String(Date.now()),
  offset: String(offset),
  attributes: 0,
  ...m,
});

const MB = 1024 * 1024;

describe('BatchConsumer DLQ writes', () => {
  it('sends a record whose key the DLQ topic refuses even without its value as a stub, not fatally', async () => {
    const h = await harness(() => ({
      topic: TOPIC,
      options: {},
      handle: () => undefined,
    }));
    // over the consumer's limit (TOO_LARGE, sent without its value), and the key alone over the DLQ's
    const big = message(7, {
      key: Buffer.alloc(2 * MB, 1),
      value: Buffer.alloc(10),
      headers: { trace: 'abc', huge: Buffer.alloc(300_000) },
    });
    const resolved = await h.run([big, message(8, { value: h.frame('ok') })]);
    expect(h.fatal).not.toHaveBeenCalled();
    expect(resolved).toEqual(['7', '8']);
    expect(h.sent).toHaveLength(1);
    const stub = h.sent[0];
    expect(stub.key).toBeNull();
    expect(stub.value).toBeNull();
    const headers = headersToStrings(stub.headers);
    expect(Object.keys(headers).every((k) => k.startsWith('dlq.'))).toBe(true);
    expect(headers).toMatchObject({
      [DLQ_HEADERS.errorCode]: 'TOO_LARGE',
      [DLQ_HEADERS.offset]: '7',
      [DLQ_HEADERS.keyOmitted]: String(2 * MB),
      [DLQ_HEADERS.valueOmitted]: '10',
      [DLQ_HEADERS.headersOmitted]: String(5 + 3 + 4 + 300_000),
    });
    expect(h.warnings.join('\n')).toMatch(/unit\.in\[0\]@7 -> unit\.in\.dlq: .*as a stub/);
  });

  it('counts headers in the size limit: a record with oversize headers is TOO_LARGE, its DLQ record a stub', async () => {
    const handled: string[] = [];
    const h = await harness(() => ({
      topic: TOPIC,
      options: {},
      handle: (r: KafkaRecord) => void handled.push(r.offset),
    }));
    const headers = { a: Buffer.alloc(700_000), b: Buffer.alloc(700_000) };
    const resolved = await h.run([message(1, { value: h.frame('x'), headers })]);
    expect(handled).toEqual([]);
    expect(resolved).toEqual(['1']);
    expect(h.fatal).not.toHaveBeenCalled();
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0].headers).not.toHaveProperty('a');
    expect(headersToStrings(h.sent[0].headers)).toMatchObject({
      [DLQ_HEADERS.errorCode]: 'TOO_LARGE',
      [DLQ_HEADERS.headersOmitted]: String(1_400_002),
    });
    expect(headersToStrings(h.sent[0].headers)[DLQ_HEADERS.errorMessage]).toMatch(
      /key \+ value \+ headers/,
    );
  });

  it('keeps the key and headers of a record the DLQ takes without its value', async () => {
    const h = await harness(() => ({ topic: TOPIC, options: {}, handle: () => undefined }), {
      maxRecordBytes: 4 * MB,
    });
    // not a frame (BAD_FRAME); key + value over the DLQ's limit, the key alone under it
    const bad = message(3, {
      key: Buffer.alloc(900_000),
      value: Buffer.alloc(300_000, 0xff),
      headers: { trace: 'abc' },
    });
    const resolved = await h.run([bad]);
    expect(resolved).toEqual(['3']);
    expect(h.fatal).not.toHaveBeenCalled();
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0].key).toHaveLength(900_000);
    expect(h.sent[0].value).toBeNull();
    expect(headersToStrings(h.sent[0].headers)).toMatchObject({
      trace: 'abc',
      [DLQ_HEADERS.errorCode]: 'BAD_FRAME',
      [DLQ_HEADERS.valueOmitted]: '300000',
    });
    expect(h.sent[0].headers).not.toHaveProperty(DLQ_HEADERS.keyOmitted);
  });
});

describe('BatchConsumer end-to-end latency', () => {
  it('observes in batch mode only the records the handler did not reject, as record mode does', async () => {
    const latencies: number[] = [];
    const metrics: KafkaMetrics = { ...NOOP_METRICS, e2eLatency: (_, s) => latencies.push(s) };
    const h = await harness(
      () => ({
        topic: TOPIC,
        options: { mode: 'batch' },
        handle: (rs: KafkaRecord[], ctx: BatchHandlerContext) => {
          for (const r of rs) if (r.offset === '2') ctx.reject(r, new InvalidRecordError('bad'));
        },
      }),
      { metrics },
    );
    const resolved = await h.run([1, 2, 3].map((o) => message(o, { value: h.frame(`r${o}`) })));
    expect(resolved).toEqual(['3']);
    expect(h.sent).toHaveLength(1);
    expect(latencies).toHaveLength(2);

    latencies.length = 0;
    const all = await harness(
      () => ({
        topic: TOPIC,
        options: { mode: 'batch' },
        handle: () => {
          throw new InvalidRecordError('all bad');
        },
      }),
      { metrics },
    );
    await all.run([1, 2].map((o) => message(o, { value: all.frame(`r${o}`) })));
    expect(all.sent).toHaveLength(2);
    expect(latencies).toHaveLength(0);
  });
});
