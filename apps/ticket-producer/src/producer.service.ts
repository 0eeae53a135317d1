import { contractOf, type SupportTicketRaw } from '@citypulse/contracts';
import type { KafkaMetrics } from '@citypulse/kafka';
import type { CityDefinition } from '@citypulse/postgres';
import {
  KafkaRecordSink,
  connectProducer,
  openSinks,
  reportEncodeFailures,
  runSimulation,
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
    const p = this.config.producer;
    const plan = planRun(p, this.city, Date.now());
    this.log.log(describePlan(plan));
    const sinks = await openSinks<TicketRecord>(
      { dump: p.TICKET_PRODUCER_DUMP, dryRun: p.TICKET_PRODUCER_DRY_RUN, log: this.log },
      () => this.openKafka(),
    );
    return runSimulation({
      sinks,
      source: () => createTicketInjector(plan.generation),
      run: plan.run,
      signal,
      metrics: this.metrics,
      log: this.log,
      unit: 'tickets',
      faults: (summary) => JSON.stringify(summary.faults),
    });
  }

  private async openKafka(): Promise<RecordSink<TicketRecord>> {
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
    this.log.log(`producing to ${this.topicName} (schema id ${topic.schemaId})`);
    // A ticket the schema refuses (a model bug) is counted, logged and skipped: the run goes on.
    return new KafkaRecordSink(producer, topic, reportEncodeFailures(this.metrics, this.log));
  }
}
