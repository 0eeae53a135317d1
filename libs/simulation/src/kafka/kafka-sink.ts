import type { KafkaProducer, TopicProducer } from '@citypulse/kafka';
import type { SimRecord } from '../faults/records';
import type { RecordSink } from '../run/runner';

/** A record whose value its topic's schema refuses: skipped, not sent. */
export interface EncodeFailure {
  topic: string;
  key: string | null;
  seq: number;
  /** the fields the schema refuses, as paths (`event_time`, `location.latitude`), and their values */
  fields: { path: string; value: unknown }[];
}

/** What a sink does with a record that cannot be encoded (count it, log it); it is then skipped. */
export type OnEncodeFailure = (failure: EncodeFailure) => void;

/**
 * The records whose values the topic's schema accepts; each other one goes to `onFailure`. Without
 * a handler (or before the schema is loaded) nothing is checked: the encoder throws as it always did.
 */
function encodable<V>(
  producer: KafkaProducer,
  topic: TopicProducer<V>,
  run: readonly SimRecord<V>[],
  onFailure: OnEncodeFailure | undefined,
): SimRecord<V>[] {
  const type = onFailure && producer.serde?.cachedType(topic.schemaId);
  if (!type) return [...run];
  return run.filter((r) => {
    const value = (r as Extract<SimRecord<V>, { kind: 'reading' }>).value;
    const fields: EncodeFailure['fields'] = [];
    if (
      type.isValid(value, {
        errorHook: (path, v) => fields.push({ path: path.join('.'), value: v }),
      })
    ) {
      return true;
    }
    onFailure({ topic: topic.topic, key: r.key, seq: r.seq, fields });
    return false;
  });
}

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
  onEncodeFailure?: OnEncodeFailure,
): Promise<void> {
  const acks: Promise<void>[] = [];
  let i = 0;
  while (i < records.length) {
    const kind = records[i].kind;
    let j = i;
    while (j < records.length && records[j].kind === kind) j++;
    const run =
      kind === 'reading'
        ? encodable(producer, topic, records.slice(i, j), onEncodeFailure)
        : records.slice(i, j);
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

/**
 * One stream's records to one topic through libs/kafka's idempotent producer (see sendRecords).
 * With `onEncodeFailure`, a value the schema refuses is reported and skipped instead of failing
 * the batch (and the run).
 */
export class KafkaRecordSink<V> implements RecordSink<SimRecord<V>> {
  constructor(
    private readonly producer: KafkaProducer,
    private readonly topic: TopicProducer<V>,
    private readonly onEncodeFailure?: OnEncodeFailure,
  ) {}

  send(records: readonly SimRecord<V>[]): Promise<void> {
    return sendRecords(this.producer, this.topic, records, this.onEncodeFailure);
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
    /** a value its topic's schema refuses is reported here and skipped (see KafkaRecordSink) */
    private readonly onEncodeFailure?: OnEncodeFailure,
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
      [...byStream].map(([stream, list]) =>
        sendRecords(this.producer, this.topics[stream], list, this.onEncodeFailure),
      ),
    ).then(() => undefined);
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
