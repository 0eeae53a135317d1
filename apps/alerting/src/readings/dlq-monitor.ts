import type { Consumer, Kafka } from 'kafkajs';
import type { DlqSource } from '../engine/alert-engine';
import type { KafkaLogger } from '@citypulse/kafka';
import type { EvaluateReadings } from './evaluate-readings';

/**
 * Counts the records of the sources' dead-letter topics (raw bytes with context headers, never
 * decoded) by record timestamp, for the DLQ-rate rule. Starts at the end of each DLQ: the rate is
 * about now. Its own consumer group, so it scales and restarts like the rule evaluation.
 */
export class DlqMonitor {
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    /** dead-letter topic -> the source it counts for */
    private readonly topics: ReadonlyMap<string, DlqSource>,
    private readonly evaluate: EvaluateReadings,
    private readonly logger: KafkaLogger,
  ) {}

  async start(): Promise<void> {
    if (this.topics.size === 0) return;
    const c = this.kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: false });
    this.consumer = c;
    await c.connect();
    await c.subscribe({ topics: [...this.topics.keys()], fromBeginning: false });
    await c.run({
      eachBatch: async ({ batch }) => {
        const source = this.topics.get(batch.topic);
        if (!source || batch.messages.length === 0) return;
        const records = batch.messages.map((m) => ({
          offset: m.offset,
          timestamp: Number(m.timestamp),
        }));
        await this.evaluate.execute(
          { kind: 'deadLetters', source, topic: batch.topic, partition: batch.partition, records },
          batch.topic,
        );
      },
    });
    this.logger.log(`watching the DLQ rate of ${[...this.topics.keys()].join(', ')}`);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
