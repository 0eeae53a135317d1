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
import { AggregateWriter, StoreRefusedError, type WriteReport } from './aggregate-writer';
import { InvalidAggregateError, toWindow, type AggregateWindow } from './windows';

/**
 * The Kafka handler of one aggregate topic, made from its spec (one per spec, aggregates.module.ts):
 * map each decoded record (impossible ones go to the DLQ with the reason), hand the batch to the
 * writer, return. A write failure is thrown as retriable, so the transport retries the batch with
 * backoff and commits no offset until both stores hold it. When PostgreSQL refuses the batch's
 * data (StoreRefusedError: it would on every retry), the batch is written again one window at a
 * time and the updates of each window refused alone go to the DLQ with PostgreSQL's reason; the
 * others are stored, and the partition moves on.
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
      const mapped = mapOrReject(records, ctx, (value) => toWindow(spec, value));
      let report: WriteReport;
      try {
        report = await this.writer.write(
          spec,
          mapped.map((m) => m.out),
        );
      } catch (err) {
        if (!(err instanceof StoreRefusedError)) throw err;
        this.log.warn(
          `${ctx.topic}[${ctx.partition}]: ${err.message}; writing one window at a time`,
        );
        report = await this.writeOneByOne(mapped, ctx);
      }
      this.log.debug(
        `${ctx.topic}[${ctx.partition}]: ${report.received} updates, ${report.distinct} windows; postgres ${JSON.stringify(report.postgres)}, mongodb ${JSON.stringify(report.mongodb)}`,
      );
    }

    /** Each window's updates alone; those PostgreSQL refuses go to the DLQ, any other failure is thrown. */
    private async writeOneByOne(
      mapped: Mapped<ValueOf<S>, AggregateWindow<ValueOf<S>>>[],
      ctx: KafkaContext,
    ): Promise<WriteReport> {
      const byKey = new Map<string, Mapped<ValueOf<S>, AggregateWindow<ValueOf<S>>>[]>();
      for (const m of mapped) {
        const updates = byKey.get(m.out.key);
        if (updates) updates.push(m);
        else byKey.set(m.out.key, [m]);
      }
      const total: WriteReport = {
        kind: spec.name,
        received: 0,
        distinct: 0,
        postgres: { inserted: 0, updated: 0, unchanged: 0 },
        mongodb: { inserted: 0, updated: 0, unchanged: 0 },
      };
      for (const [key, updates] of byKey) {
        try {
          const r = await this.writer.write(
            spec,
            updates.map((u) => u.out),
          );
          total.received += r.received;
          total.distinct += r.distinct;
          for (const store of ['postgres', 'mongodb'] as const) {
            total[store].inserted += r[store].inserted;
            total[store].updated += r[store].updated;
            total[store].unchanged += r[store].unchanged;
          }
        } catch (err) {
          if (!(err instanceof StoreRefusedError)) throw err;
          for (const u of updates) {
            ctx.reject(
              u.record,
              new InvalidRecordError(`${spec.name} window ${key}: ${err.message}`, { cause: err }),
            );
          }
        }
      }
      return total;
    }
  }
  Object.defineProperty(AggregateConsumer, 'name', { value: `${className(spec.name)}Consumer` });
  return AggregateConsumer;
}

/** 'transport_line_10m' -> 'TransportLine10m' */
export function className(name: string): string {
  return name.replace(/(?:^|_)([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A record and what it maps to. */
interface Mapped<V, W> {
  record: KafkaRecord<V>;
  out: W;
}

function mapOrReject<V, W>(
  records: KafkaRecord<V>[],
  ctx: KafkaContext,
  map: (v: V) => W,
): Mapped<V, W>[] {
  const out: Mapped<V, W>[] = [];
  for (const record of records) {
    try {
      out.push({ record, out: map(record.value) });
    } catch (err) {
      if (!(err instanceof InvalidAggregateError)) throw err;
      ctx.reject(record, new InvalidRecordError(err.message, { cause: err }));
    }
  }
  return out;
}
