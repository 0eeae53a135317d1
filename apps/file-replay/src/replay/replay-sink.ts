import { buildFileDlqHeaders, type KafkaProducer, type TopicProducer } from '@citypulse/kafka';
import { sendRecords, type EventLike, type RecordSink } from '@citypulse/simulation';
import type { RejectedRow, ReplayRecord, ReplayedRow } from './file-source';

/** Where a replay's rows go in Kafka: good rows to the topic, bad ones to its DLQ. */
export interface ReplayOutput<V> {
  producer: KafkaProducer;
  topic: TopicProducer<V>;
  dlqTopic: string;
  /** the file's name for the DLQ headers */
  file: string;
  service: string;
}

/**
 * A replay's sink: good rows Confluent-framed to the topic through libs/simulation's sendRecords
 * (keys as the source keys them), bad rows to the DLQ with the original line as value and
 * libs/kafka's DLQ headers naming the file and line; without an output (a dry run) nothing is
 * sent. Counts what was acknowledged, and tells each bad row to `onReject`.
 */
export class ReplaySink<V extends EventLike> implements RecordSink<ReplayRecord<V>> {
  produced = 0;
  rejected = 0;

  constructor(
    private readonly output: ReplayOutput<V> | undefined,
    private readonly onReject: (row: RejectedRow) => void,
  ) {}

  async send(records: readonly ReplayRecord<V>[]): Promise<void> {
    const good = records.filter((r): r is ReplayedRow<V> => r.kind === 'reading');
    const bad = records.filter((r): r is RejectedRow => r.kind === 'rejected');
    const out = this.output;
    if (out) {
      await Promise.all([
        sendRecords(out.producer, out.topic, good),
        out.producer.sendRaw(
          out.dlqTopic,
          bad.map((r) => ({
            key: r.key,
            value: Buffer.from(r.text, 'utf8'),
            headers: buildFileDlqHeaders({
              topic: out.topic.topic,
              file: out.file,
              line: r.line,
              error: r.error,
              schemaId: out.topic.schemaId,
              service: out.service,
            }),
          })),
        ),
      ]);
    }
    this.produced += good.length;
    this.rejected += bad.length;
    for (const r of bad) this.onReject(r);
  }

  async close(): Promise<void> {
    await this.output?.producer.disconnect();
  }
}
