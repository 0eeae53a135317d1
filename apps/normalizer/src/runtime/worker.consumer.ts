import type { AvroSchemaJson, StreamName, ValueOf } from '@citypulse/contracts';
import { InvalidRecordError, KafkaContext, KafkaHandler, type KafkaRecord } from '@citypulse/kafka';
import { Controller, Inject, type Type } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { NormalizeBatch } from './normalize-batch';
import { NORMALIZE_BATCH } from './worker.tokens';

export interface WorkerConsumerOptions {
  /** the raw topic (the contract's, or a test's own) */
  topic: string;
  /** the raw contract's schema: every record is decoded into it */
  readerSchema: AvroSchemaJson;
  maxBatchRecords: number;
}

/**
 * The worker's Kafka handler, built for its input topic (the decorator needs the topic when the
 * class is defined; tests use topics of their own). It decodes — the transport resolves each
 * record into the raw contract's schema, so a record written with a compatible older or newer
 * schema reads as the contract, and one that is not becomes an AVRO_DECODE dead letter — calls
 * the use case, and dead-letters what it refused with the reason first in the message.
 */
export function workerConsumer<R extends StreamName>(
  options: WorkerConsumerOptions,
): Type<unknown> {
  @Controller()
  class WorkerConsumer {
    constructor(
      @Inject(NORMALIZE_BATCH)
      private readonly normalizeBatch: NormalizeBatch<R, StreamName, unknown, string>,
    ) {}

    @KafkaHandler(options.topic, {
      mode: 'batch',
      maxBatchRecords: options.maxBatchRecords,
      readerSchema: options.readerSchema,
    })
    async handle(
      @Payload() records: KafkaRecord<ValueOf<R>>[],
      @Ctx() ctx: KafkaContext,
    ): Promise<void> {
      const rejected = await this.normalizeBatch.execute(
        records.map((r) => ({ value: r.value, source: r })),
      );
      for (const r of rejected) {
        ctx.reject(r.source, new InvalidRecordError(`${r.reason}: ${r.message}`));
      }
    }
  }
  return WorkerConsumer;
}
