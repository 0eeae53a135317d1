import type { TrafficReadingRaw } from '@citypulse/contracts';
import type { KafkaProducer, TopicProducer } from '@citypulse/kafka';
import type { GeneratedRecord } from '../faults/fault-injector';
import type { RecordSink } from '../run/generator-runner';

/**
 * Sends records to the raw traffic topic through libs/kafka's idempotent producer: readings as
 * Confluent Avro, broken-Avro faults as their raw bytes, all keyed by the canonical sensor id.
 * Runs of the two kinds are enqueued in order, so the topic holds the dump's order per partition.
 */
export class KafkaRecordSink implements RecordSink {
  constructor(
    private readonly producer: KafkaProducer,
    private readonly topic: TopicProducer<TrafficReadingRaw>,
  ) {}

  async send(records: readonly GeneratedRecord[]): Promise<void> {
    const acks: Promise<void>[] = [];
    let i = 0;
    while (i < records.length) {
      const kind = records[i].kind;
      let j = i;
      while (j < records.length && records[j].kind === kind) j++;
      const run = records.slice(i, j);
      acks.push(
        kind === 'reading'
          ? this.topic.send(
              run.map((r) => ({
                key: r.key,
                value: (r as Extract<GeneratedRecord, { kind: 'reading' }>).value,
              })),
            )
          : this.producer.sendRaw(
              this.topic.topic,
              run.map((r) => ({
                key: r.key,
                value: (r as Extract<GeneratedRecord, { kind: 'bytes' }>).bytes,
              })),
            ),
      );
      i = j;
    }
    await Promise.all(acks);
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
