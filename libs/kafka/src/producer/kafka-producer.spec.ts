import type { Kafka, ProducerBatch } from 'kafkajs';
import { NOOP_METRICS } from '../metrics';
import type { AvroSerde } from '../serde/avro-serde';
import { KafkaProducer } from './kafka-producer';

/** kafkajs' error once its own retries gave up on a broker that refuses connections. */
function refused(): Error {
  const cause = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), {
    name: 'KafkaJSConnectionError',
    retriable: true,
    code: 'ECONNREFUSED',
  });
  return Object.assign(new Error(cause.message), {
    name: 'KafkaJSNonRetriableError',
    retriable: false,
    cause,
  });
}

/** A kafkajs client whose producers fail each sendBatch with the next error of `failures`. */
function fakeKafka(failures: Error[]) {
  const batches: ProducerBatch[] = [];
  const events: string[] = [];
  let made = 0;
  const producer = () => {
    const id = ++made;
    return {
      connect: () => (events.push(`connect ${id}`), Promise.resolve()),
      disconnect: () => (events.push(`disconnect ${id}`), Promise.resolve()),
      sendBatch: (b: ProducerBatch) => {
        batches.push(b);
        events.push(`send ${id}`);
        const e = failures.shift();
        return e ? Promise.reject(e) : Promise.resolve([]);
      },
    };
  };
  return { kafka: { producer } as unknown as Kafka, batches, events };
}

const encode = (_id: number, v: unknown) => Buffer.from(JSON.stringify(v));
const serde = {
  encode,
  encodeAll: <T>(id: number, items: readonly T[], valueOf: (item: T) => unknown) =>
    items.map((i) => encode(id, valueOf(i))),
};

function producerOn(kafka: Kafka, outageBudgetMs: number) {
  const retries: string[] = [];
  const warnings: string[] = [];
  const p = new KafkaProducer({
    kafka,
    serde: serde as unknown as AvroSerde,
    lingerMs: 0,
    outageBudgetMs,
    metrics: { ...NOOP_METRICS, retry: (topic, reason) => retries.push(`${topic}:${reason}`) },
    logger: { warn: (m: string) => warnings.push(m) },
  });
  return { p, retries, warnings };
}

describe('KafkaProducer while the broker is away', () => {
  it('sends the same batch again until the broker is back, then resolves', async () => {
    const { kafka, batches } = fakeKafka([refused(), refused()]);
    const { p, retries, warnings } = producerOn(kafka, 60_000);
    await p.send('t', 1, [
      { key: 'a', value: { n: 1 } },
      { key: 'b', value: { n: 2 } },
    ]);
    expect(batches).toHaveLength(3);
    // the very same messages each time (the idempotent producer keeps their sequence numbers)
    expect(new Set(batches.map((b) => JSON.stringify(b.topicMessages))).size).toBe(1);
    expect(retries).toEqual(['t:BROKER_UNAVAILABLE', 't:BROKER_UNAVAILABLE']);
    expect(warnings.some((w) => w.includes('the broker is back'))).toBe(true);
  });

  it('takes a new producer id when the restarted broker refuses the sequence numbers', async () => {
    const outOfOrder = Object.assign(
      new Error('The broker received an out of order sequence number'),
      {
        name: 'KafkaJSProtocolError',
        retriable: false,
        type: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
      },
    );
    const { kafka, events } = fakeKafka([refused(), outOfOrder]);
    const { p, warnings } = producerOn(kafka, 60_000);
    await p.connect();
    await p.send('t', 1, [{ key: 'a', value: { n: 1 } }]);
    expect(events).toEqual([
      'connect 1',
      'send 1',
      'send 1',
      'disconnect 1',
      'connect 2',
      'send 2',
    ]);
    expect(warnings.some((w) => w.includes('new producer id'))).toBe(true);
  });

  it('fails a refusal at once: nothing to wait for', async () => {
    const denied = Object.assign(new Error('Not authorized to access topics'), {
      name: 'KafkaJSProtocolError',
      retriable: false,
      type: 'TOPIC_AUTHORIZATION_FAILED',
    });
    const { kafka, batches } = fakeKafka([denied]);
    const { p } = producerOn(kafka, 60_000);
    await expect(p.send('t', 1, [{ value: { n: 1 } }])).rejects.toBe(denied);
    expect(batches).toHaveLength(1);
  });

  it('gives up once the outage outlasts its budget', async () => {
    const { kafka, batches } = fakeKafka(Array.from({ length: 50 }, refused));
    const { p } = producerOn(kafka, 1_000);
    const t0 = Date.now();
    await expect(p.send('t', 1, [{ value: { n: 1 } }])).rejects.toMatchObject({
      name: 'KafkaJSNonRetriableError',
    });
    expect(Date.now() - t0).toBeLessThan(1_500);
    expect(batches.length).toBeGreaterThan(1);
  });
});
