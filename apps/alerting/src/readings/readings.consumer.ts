import {
  contractOf,
  type AvroSchemaJson,
  type IncidentNormalized,
  type TrafficReadingNormalized,
  type TransportVehicleStatusNormalized,
} from '@citypulse/contracts';
import { KafkaHandler, type KafkaRecord } from '@citypulse/kafka';
import { Controller, Inject, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Reading } from '../engine/alert-engine';
import { EVALUATE_READINGS } from '../tokens';
import type { EvaluateReadings } from './evaluate-readings';

/** The normalized topics the rules read (the contracts', or a test's own). */
export interface InputTopics {
  traffic: string;
  transport: string;
  incidents: string;
}

function readings<T>(records: KafkaRecord<T>[]): Reading<T>[] {
  return records.map((r) => ({ value: r.value, topic: r.topic, timestamp: Number(r.timestamp) }));
}

/**
 * The Kafka handlers of the three normalized topics, built for the topics given (the decorator
 * needs them when the class is defined). Each decodes (the transport resolves every record into
 * its contract's schema; one that does not fit becomes a dead letter), hands the batch to the use
 * case and returns once its alerts are acknowledged.
 */
export function readingsConsumer(topics: InputTopics, maxBatchRecords: number): Type<unknown> {
  const opts = (schema: AvroSchemaJson) => ({
    mode: 'batch' as const,
    maxBatchRecords,
    readerSchema: schema,
  });

  @Controller()
  class ReadingsConsumer {
    constructor(@Inject(EVALUATE_READINGS) private readonly evaluate: EvaluateReadings) {}

    @KafkaHandler(topics.traffic, opts(contractOf('trafficNormalized').schema))
    async traffic(@Payload() records: KafkaRecord<TrafficReadingNormalized>[]): Promise<void> {
      await this.evaluate.execute({ kind: 'traffic', readings: readings(records) }, topics.traffic);
    }

    @KafkaHandler(topics.transport, opts(contractOf('transportNormalized').schema))
    async transport(
      @Payload() records: KafkaRecord<TransportVehicleStatusNormalized>[],
    ): Promise<void> {
      await this.evaluate.execute(
        { kind: 'transport', readings: readings(records) },
        topics.transport,
      );
    }

    @KafkaHandler(topics.incidents, opts(contractOf('incidentsNormalized').schema))
    async incidents(@Payload() records: KafkaRecord<IncidentNormalized>[]): Promise<void> {
      await this.evaluate.execute(
        { kind: 'incidents', readings: readings(records) },
        topics.incidents,
      );
    }
  }
  return ReadingsConsumer;
}
