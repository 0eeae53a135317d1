import { Controller, Inject, Logger, UseFilters, type Type } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { ValueOf } from '@citypulse/contracts';
import {
  InvalidRecordError,
  KafkaContext,
  KafkaExceptionFilter,
  KafkaHandler,
  type KafkaRecord,
} from '@citypulse/kafka';
import type { AggregateSpec, AggregateStream } from './aggregate-spec';
import { AggregateWriter } from './aggregate-writer';
import { InvalidAggregateError, toWindow } from './windows';

/**
 * The Kafka handler of one aggregate topic, made from its spec (one per spec, aggregates.module.ts):
 * map each decoded record (impossible ones go to the DLQ with the reason), hand the batch to the
 * writer, return. A write failure is thrown as retriable, so the transport retries the batch with
 * backoff and commits no offset until both stores hold it.
 */
export function aggregateConsumer<S extends AggregateStream>(spec: AggregateSpec<S>): Type {
  @Controller()
  // scoped to the Kafka handlers: the HTTP routes of this hybrid app keep Nest's HTTP filter
  @UseFilters(KafkaExceptionFilter)
  class AggregateConsumer {
    private readonly log = new Logger(`AggregatesConsumer ${spec.name}`);

    constructor(@Inject(AggregateWriter) private readonly writer: AggregateWriter) {}

    @KafkaHandler(spec.topic, { mode: 'batch' })
    async handle(
      @Payload() records: KafkaRecord<ValueOf<S>>[],
      @Ctx() ctx: KafkaContext,
    ): Promise<void> {
      const windows = mapOrReject(records, ctx, (value) => toWindow(spec, value));
      const report = await this.writer.write(spec, windows);
      this.log.debug(
        `${ctx.topic}[${ctx.partition}]: ${report.received} updates, ${report.distinct} windows; postgres ${JSON.stringify(report.postgres)}, mongodb ${JSON.stringify(report.mongodb)}`,
      );
    }
  }
  Object.defineProperty(AggregateConsumer, 'name', { value: `${className(spec.name)}Consumer` });
  return AggregateConsumer;
}

/** 'transport_line_10m' -> 'TransportLine10m' */
export function className(name: string): string {
  return name.replace(/(?:^|_)([a-z0-9])/g, (_, c: string) => c.toUpperCase());
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
