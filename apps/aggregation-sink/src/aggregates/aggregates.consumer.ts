import { Controller, Logger, UseFilters } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { TOPICS, type MobilityIndex5m, type TrafficZoneAggregate5m } from '@citypulse/contracts';
import {
  InvalidRecordError,
  KafkaContext,
  KafkaExceptionFilter,
  KafkaHandler,
  type KafkaRecord,
} from '@citypulse/kafka';
import { AggregateWriter } from './aggregate-writer';
import { InvalidAggregateError, toMobilityWindow, toTrafficWindow } from './windows';

/**
 * Thin Kafka handlers: map each decoded record (impossible ones go to the DLQ with the reason),
 * hand the batch to the writer, return. A write failure is thrown as retriable, so the transport
 * retries the batch with backoff and commits no offset until both stores hold it.
 */
@Controller()
// scoped to the Kafka handlers: the HTTP routes of this hybrid app keep Nest's HTTP filter
@UseFilters(KafkaExceptionFilter)
export class AggregatesConsumer {
  private readonly log = new Logger(AggregatesConsumer.name);

  constructor(private readonly writer: AggregateWriter) {}

  @KafkaHandler(TOPICS.trafficByZone5m, { mode: 'batch' })
  async traffic(
    @Payload() records: KafkaRecord<TrafficZoneAggregate5m>[],
    @Ctx() ctx: KafkaContext,
  ): Promise<void> {
    const windows = mapOrReject(records, ctx, toTrafficWindow);
    const report = await this.writer.writeTraffic(windows);
    this.log.debug(
      `${ctx.topic}[${ctx.partition}]: ${report.received} updates, ${report.distinct} windows; postgres ${JSON.stringify(report.postgres)}, mongodb ${JSON.stringify(report.mongodb)}`,
    );
  }

  @KafkaHandler(TOPICS.mobilityIndex5m, { mode: 'batch' })
  async mobility(
    @Payload() records: KafkaRecord<MobilityIndex5m>[],
    @Ctx() ctx: KafkaContext,
  ): Promise<void> {
    await this.writer.writeMobility(mapOrReject(records, ctx, toMobilityWindow));
  }
}

function mapOrReject<V, W>(records: KafkaRecord<V>[], ctx: KafkaContext, map: (v: V) => W): W[] {
  const out: W[] = [];
  for (const record of records) {
    try {
      out.push(map(record.value));
    } catch (err) {
      if (!(err instanceof InvalidAggregateError)) throw err;
      ctx.reject(record, new InvalidRecordError(err.message, { cause: err }));
    }
  }
  return out;
}
