import {
  AvroSerde,
  TopicProducer,
  type KafkaProducer,
  type OutgoingRecord,
} from '@citypulse/kafka';
import type { SimRecord } from '../faults/records';
import { NOOP_SIMULATION_METRICS, SimulationRunner } from '../run/runner';
import type { RecordSource } from '../faults/fault-injector';
import { reportEncodeFailures } from './encode-failures';
import { KafkaRecordSink, KafkaStreamsSink } from './kafka-sink';

const RUN = { rate: Infinity, maxEvents: 3, maxDurationMs: Infinity, batchSize: 10 };

/** Records what would go to the broker, in call order (no Kafka: routing and order only). */
class Recorder {
  readonly calls: { topic: string; kind: 'avro' | 'raw'; keys: string[] }[] = [];
  producer = {
    sendRaw: (topic: string, messages: { key: string }[]) => {
      this.calls.push({ topic, kind: 'raw', keys: messages.map((m) => m.key) });
      return Promise.resolve();
    },
    disconnect: () => Promise.resolve(),
  } as unknown as KafkaProducer;
  topic(name: string): TopicProducer<unknown> {
    return {
      topic: name,
      send: (records: OutgoingRecord<unknown>[]) => {
        this.calls.push({ topic: name, kind: 'avro', keys: records.map((r) => String(r.key)) });
        return Promise.resolve();
      },
    } as unknown as TopicProducer<unknown>;
  }
}

type Rec = SimRecord<unknown> & { stream: 'a' | 'b' };
const reading = (stream: 'a' | 'b', key: string): Rec => ({
  stream,
  kind: 'reading',
  seq: 0,
  key,
  value: {},
  faults: [],
});
const bytes = (stream: 'a' | 'b', key: string): Rec => ({
  stream,
  kind: 'bytes',
  seq: 0,
  key,
  bytes: Buffer.from('x'),
  faults: ['broken_avro'],
  brokenAvro: 'not_avro',
  eventId: 'e',
});

describe('KafkaStreamsSink', () => {
  it('routes each record to its stream`s topic, keeping the order within a topic', async () => {
    const r = new Recorder();
    const sink = new KafkaStreamsSink<'a' | 'b', Rec>(r.producer, {
      a: r.topic('topic.a'),
      b: r.topic('topic.b'),
    });
    await sink.send([
      reading('a', 'A1'),
      reading('b', 'B1'),
      reading('a', 'A2'),
      bytes('a', 'A3'),
      reading('a', 'A4'),
      bytes('b', 'B2'),
    ]);
    expect(r.calls).toEqual([
      { topic: 'topic.a', kind: 'avro', keys: ['A1', 'A2'] },
      { topic: 'topic.a', kind: 'raw', keys: ['A3'] },
      { topic: 'topic.a', kind: 'avro', keys: ['A4'] },
      { topic: 'topic.b', kind: 'avro', keys: ['B1'] },
      { topic: 'topic.b', kind: 'raw', keys: ['B2'] },
    ]);
  });
});

describe('a value its schema refuses', () => {
  // The real serde and a real producer's encode path (no broker: the queue is never drained).
  const schema = {
    type: 'record',
    name: 'Toy',
    fields: [
      { name: 'event_id', type: 'string' },
      { name: 'event_time', type: { type: 'long', logicalType: 'timestamp-millis' } },
    ],
  };
  const serde = new AvroSerde({
    schemaById: () => Promise.reject(new Error('unused')),
    latest: () => Promise.reject(new Error('unused')),
    register: () => Promise.resolve(7),
  });
  const sent: { topic: string; keys: string[] }[] = [];
  const producer = {
    serde,
    send: (topic: string, schemaId: number, records: OutgoingRecord[]) => {
      for (const r of records) serde.encode(schemaId, r.value); // throws as the producer's does
      sent.push({ topic, keys: records.map((r) => String(r.key)) });
      return Promise.resolve();
    },
    disconnect: () => Promise.resolve(),
  } as unknown as KafkaProducer;
  const rec = (key: string, eventTime: number): SimRecord<unknown> => ({
    kind: 'reading',
    seq: Number(key),
    key,
    value: { event_id: `e${key}`, event_time: eventTime },
    faults: [],
  });
  const source = (): RecordSource<SimRecord<unknown>> => {
    const list = [rec('0', 1_000), rec('1', 1_000.5), rec('2', 2_000)];
    return {
      next: () => list.shift()!,
      drain: () => [],
      pendingCount: 0,
      injected: new Map(),
      nextTime: () => 0,
    };
  };
  let topic: TopicProducer<unknown>;
  beforeAll(async () => {
    await serde.register('toy-value', JSON.stringify(schema));
    topic = new TopicProducer(producer, 'toy', 7);
  });
  beforeEach(() => (sent.length = 0));

  it('fails the run without a handler (what a generator did before it had one)', async () => {
    const runner = new SimulationRunner(source(), [new KafkaRecordSink(producer, topic)], RUN);
    await expect(runner.run()).rejects.toThrow(/does not match schema id 7/);
  });

  it('is counted by field, logged naming the field, and skipped; the run goes on', async () => {
    const counted: string[] = [];
    const logged: string[] = [];
    const metrics = {
      ...NOOP_SIMULATION_METRICS,
      encodeFailed: (t: string, f: string) => counted.push(`${t} ${f}`),
    };
    const onFailure = reportEncodeFailures(metrics, { error: (m) => logged.push(m) });
    const runner = new SimulationRunner(
      source(),
      [new KafkaRecordSink(producer, topic, onFailure)],
      RUN,
      metrics,
    );
    const summary = await runner.run();
    expect(summary.sent).toBe(3);
    expect(sent).toEqual([{ topic: 'toy', keys: ['0', '2'] }]);
    expect(counted).toEqual(['toy event_time']);
    expect(logged).toEqual([
      'record 1 (key 1) does not match the schema of toy: event_time=1000.5; skipped (1 so far with this field)',
    ]);
  });
});
