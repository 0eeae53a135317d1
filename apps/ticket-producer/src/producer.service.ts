import { contractOf, type SupportTicketRaw } from '@citypulse/contracts';
import type { KafkaMetrics } from '@citypulse/kafka';
import type { CityDefinition } from '@citypulse/postgres';
import {
  JsonlDumpSink,
  KafkaRecordSink,
  SimulationRunner,
  connectProducer,
  type RecordSink,
  type RunSummary,
  type SimulationMetrics,
} from '@citypulse/simulation';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ProducerConfig } from './config/producer.config';
import { describePlan, planRun } from './run/plan';
import { createTicketInjector } from './tickets/generate';
import type { TicketRecord } from './tickets/ticket-faults';
import { CITY, KAFKA_METRICS, OUTPUT_TOPIC, PRODUCER_CONFIG, PRODUCER_METRICS } from './tokens';

/** Runs the simulation once: plan from the config, sinks (Kafka and/or a dump), pace, report. */
@Injectable()
export class ProducerService {
  private readonly log = new Logger('TicketProducer');

  constructor(
    @Inject(PRODUCER_CONFIG) private readonly config: ProducerConfig,
    @Inject(CITY) private readonly city: CityDefinition,
    @Inject(PRODUCER_METRICS) private readonly metrics: SimulationMetrics,
    @Inject(KAFKA_METRICS) private readonly kafkaMetrics: KafkaMetrics,
    @Inject(OUTPUT_TOPIC) private readonly topicName: string,
  ) {}

  async run(signal?: AbortSignal): Promise<RunSummary> {
    const plan = planRun(this.config.producer, this.city, Date.now());
    this.log.log(describePlan(plan));
    const sinks = await this.openSinks();
    let progress: NodeJS.Timeout | undefined;
    try {
      const runner = new SimulationRunner<TicketRecord>(
        createTicketInjector(plan.generation),
        sinks,
        { ...plan.run, ...(signal && { signal }) },
        this.metrics,
      );
      progress = setInterval(() => this.log.log(`sent ${runner.sent} tickets`), 5_000);
      const summary = await runner.run();
      this.log.log(
        `done: ${summary.sent} records in ${(summary.elapsedMs / 1000).toFixed(1)} s ` +
          `(${summary.eventsPerSecond.toFixed(1)} events/s); faults ${JSON.stringify(summary.faults)}` +
          (summary.lastEventTime
            ? `; simulated clock at ${new Date(summary.lastEventTime).toISOString()}`
            : ''),
      );
      return summary;
    } finally {
      clearInterval(progress);
      for (const s of sinks) await s.close();
    }
  }

  private async openSinks(): Promise<RecordSink<TicketRecord>[]> {
    const p = this.config.producer;
    const sinks: RecordSink<TicketRecord>[] = [];
    if (p.TICKET_PRODUCER_DUMP) {
      sinks.push(new JsonlDumpSink<TicketRecord>(p.TICKET_PRODUCER_DUMP));
      this.log.log(`dumping every sent record to ${p.TICKET_PRODUCER_DUMP}`);
    }
    if (!p.TICKET_PRODUCER_DRY_RUN) {
      const contract = contractOf('ticketsRaw');
      const producer = await connectProducer({
        kafka: this.config.kafka,
        registry: this.config.registry,
        metrics: this.kafkaMetrics,
        topics: [{ topic: this.topicName, partitions: contract.partitions }],
      });
      const topic = await producer.topic<SupportTicketRaw>(this.topicName, {
        schema: contract.schema,
      });
      sinks.push(new KafkaRecordSink(producer, topic));
      this.log.log(`producing to ${this.topicName} (schema id ${topic.schemaId})`);
    }
    return sinks;
  }
}
