import type { KafkaProducer, OutgoingRecord, TopicProducer } from '@citypulse/kafka';
import type { SimRecord } from '../faults/records';
import { KafkaStreamsSink } from './kafka-sink';

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
