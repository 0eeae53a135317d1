import type { KafkaProducer, TopicProducer } from '@citypulse/kafka';
import type { SimRecord } from '../faults/records';
import type { RecordSink } from '../run/runner';

/**
 * Sends one stream's records to its topic: values as Confluent Avro through the topic's
 * producer, broken-Avro faults as their raw bytes, each with its record key. Runs of the two
 * kinds are enqueued in order, so the topic holds the records in send order per partition.
 * Resolves once every record is acknowledged.
 */
export function sendRecords<V>(
  producer: KafkaProducer,
  topic: TopicProducer<V>,
  records: readonly SimRecord<V>[],
): Promise<void> {
  const acks: Promise<void>[] = [];
  let i = 0;
  while (i < records.length) {
    const kind = records[i].kind;
    let j = i;
    while (j < records.length && records[j].kind === kind) j++;
    const run = records.slice(i, j);
    acks.push(
      kind === 'reading'
        ? topic.send(
            run.map((r) => ({
              key: r.key,
              value: (r as Extract<SimRecord<V>, { kind: 'reading' }>).value,
            })),
          )
        : producer.sendRaw(
            topic.topic,
            run.map((r) => ({
              key: r.key,
              value: (r as Extract<SimRecord<V>, { kind: 'bytes' }>).bytes,
            })),
          ),
    );
    i = j;
  }
  return Promise.all(acks).then(() => undefined);
}

/** One stream's records to one topic through libs/kafka's idempotent producer (see sendRecords). */
export class KafkaRecordSink<V> implements RecordSink<SimRecord<V>> {
  constructor(
    private readonly producer: KafkaProducer,
    private readonly topic: TopicProducer<V>,
  ) {}

  send(records: readonly SimRecord<V>[]): Promise<void> {
    return sendRecords(this.producer, this.topic, records);
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}

/**
 * The records of a merged run, each to the topic of its stream, through one producer. A batch
 * is split per stream keeping its order, so every topic holds its stream's records in send order.
 */
export class KafkaStreamsSink<
  S extends string,
  R extends SimRecord<unknown> & { stream: S },
> implements RecordSink<R> {
  constructor(
    private readonly producer: KafkaProducer,
    private readonly topics: Readonly<Record<S, TopicProducer<unknown>>>,
  ) {}

  send(records: readonly R[]): Promise<void> {
    const byStream = new Map<S, R[]>();
    for (const r of records) {
      let list = byStream.get(r.stream);
      if (!list) byStream.set(r.stream, (list = []));
      list.push(r);
    }
    const missing = [...byStream.keys()].filter((s) => !this.topics[s]);
    if (missing.length > 0) {
      return Promise.reject(new Error(`no topic for stream ${missing.join(', ')}`));
    }
    return Promise.all(
      [...byStream].map(([stream, list]) => sendRecords(this.producer, this.topics[stream], list)),
    ).then(() => undefined);
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
