import {
  contractOf,
  type AvroSchemaJson,
  type IncidentNormalized,
  type TrafficReadingNormalized,
  type TransportVehicleStatusNormalized,
} from '@citypulse/contracts';
import {
  FIELD_TOO_LONG_REASON,
  InvalidRecordError,
  KafkaContext,
  KafkaHandler,
  type KafkaRecord,
} from '@citypulse/kafka';
import { Controller, Inject, type Type } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { Reading } from '../engine/alert-engine';
import { EVALUATE_READINGS } from '../tokens';
import type { EvaluateReadings } from './evaluate-readings';
import { longIdProblem } from './reading-ids';

/** The normalized topics the rules read (the contracts', or a test's own). */
export interface InputTopics {
  traffic: string;
  transport: string;
  incidents: string;
}

/** The readings to evaluate; one with an id no alert could be stored under goes to the DLQ. */
function readings<T>(records: KafkaRecord<T>[], ctx: KafkaContext): Reading<T>[] {
  const out: Reading<T>[] = [];
  for (const r of records) {
    const problem = longIdProblem(r.value);
    if (problem) ctx.reject(r, new InvalidRecordError(`${FIELD_TOO_LONG_REASON}: ${problem}`));
    else out.push({ value: r.value, topic: r.topic, timestamp: Number(r.timestamp) });
  }
  return out;
}

/**
 * The Kafka handlers of the three normalized topics, built for the topics given (the decorator
 * needs them when the class is defined). Each decodes (the transport resolves every record into
 * its contract's schema; one that does not fit, or is over the size limits, becomes a dead
 * letter), dead-letters a reading with an overlong id, hands the rest to the use case and returns
 * once its alerts are acknowledged.
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
    async traffic(
      @Payload() records: KafkaRecord<TrafficReadingNormalized>[],
      @Ctx() ctx: KafkaContext,
    ): Promise<void> {
      await this.evaluate.execute(
        { kind: 'traffic', readings: readings(records, ctx) },
        topics.traffic,
      );
    }

    @KafkaHandler(topics.transport, opts(contractOf('transportNormalized').schema))
    async transport(
      @Payload() records: KafkaRecord<TransportVehicleStatusNormalized>[],
      @Ctx() ctx: KafkaContext,
    ): Promise<void> {
      await this.evaluate.execute(
        { kind: 'transport', readings: readings(records, ctx) },
        topics.transport,
      );
    }

    @KafkaHandler(topics.incidents, opts(contractOf('incidentsNormalized').schema))
    async incidents(
      @Payload() records: KafkaRecord<IncidentNormalized>[],
      @Ctx() ctx: KafkaContext,
    ): Promise<void> {
      await this.evaluate.execute(
        { kind: 'incidents', readings: readings(records, ctx) },
        topics.incidents,
      );
    }
  }
  return ReadingsConsumer;
}
