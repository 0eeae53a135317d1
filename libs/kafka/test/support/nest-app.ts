import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import type { HandlerOptions, KafkaRecord } from '../../src/consumer/types';
import {
  KafkaBatchTransport,
  type KafkaTransportOptions,
} from '../../src/nest/kafka-batch.transport';
import { KafkaContext } from '../../src/nest/kafka-context';
import { KafkaHandler } from '../../src/nest/kafka-handler.decorator';
import { KafkaTransportModule } from '../../src/nest/kafka-transport.module';

export type Logic<T> = (record: KafkaRecord<T>, ctx: KafkaContext) => unknown;

/**
 * An in-process Nest microservice with one handler for `topic`: in record mode `logic` gets each
 * record; in batch mode the handler loops over the batch and turns a thrown InvalidRecordError
 * into ctx.reject (what a batch handler is expected to do).
 */
export async function startNestConsumer<T>(
  topic: string,
  options: HandlerOptions,
  transport: Omit<KafkaTransportOptions, 'service'> & { service?: string },
  logic: Logic<T>,
): Promise<INestMicroservice> {
  @Controller()
  class TestController {
    @KafkaHandler(topic, options)
    async handle(
      @Payload() data: KafkaRecord<T> | KafkaRecord<T>[],
      @Ctx() ctx: KafkaContext,
    ): Promise<void> {
      if (!Array.isArray(data)) {
        await logic(data, ctx);
        return;
      }
      for (const r of data) {
        try {
          await logic(r, ctx);
        } catch (e) {
          if (e instanceof Error && e.name === 'InvalidRecordError') ctx.reject(r, e as never);
          else throw e;
        }
      }
    }
  }

  @Module({ imports: [KafkaTransportModule], controllers: [TestController] })
  class TestModule {}

  const app = await NestFactory.createMicroservice(TestModule, {
    strategy: new KafkaBatchTransport({ service: 'kafka-int-test', ...transport }),
    logger: ['error'],
  });
  await app.listen();
  return app;
}
