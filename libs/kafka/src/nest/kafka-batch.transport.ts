import { Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import type { Kafka } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { BatchConsumer, type BatchConsumerOptions } from '../consumer/batch-consumer';
import type {
  BatchHandlerContext,
  HandlerContext,
  HandlerOptions,
  HandlerRegistration,
  KafkaRecord,
} from '../consumer/types';
import { createKafka, type KafkaConnectionOptions } from '../connection';
import { AvroSerde } from '../serde/avro-serde';
import { SchemaRegistryClient, type SchemaRegistryOptions } from '@citypulse/contracts';
import { KafkaContext } from './kafka-context';
import { KAFKA_HANDLER_OPTIONS } from './kafka-handler.decorator';

export interface KafkaTransportOptions extends Omit<
  BatchConsumerOptions,
  'handlers' | 'kafka' | 'serde' | 'logger'
> {
  kafka: KafkaConnectionOptions | Kafka;
  /** Registry connection, or a shared serde (its schema cache is then shared too). */
  registry: SchemaRegistryOptions | AvroSerde;
}

export const KAFKA_BATCH_TRANSPORT = Symbol('citypulse-kafka-batch');

/**
 * A NestJS custom transport strategy on kafkajs: handlers are `@KafkaHandler(topic, options)`
 * (or `@EventPattern(topic)`) methods; consumption, decoding, commits, DLQ, retries and
 * backpressure are done by BatchConsumer.
 *
 *   const app = await NestFactory.createMicroservice(AppModule, { strategy: new KafkaBatchTransport(opts) });
 */
export class KafkaBatchTransport extends Server implements CustomTransportStrategy {
  override readonly transportId = KAFKA_BATCH_TRANSPORT;
  private consumer: BatchConsumer | undefined;
  private readonly pendingListeners: Array<[string, (...args: unknown[]) => void]> = [];
  private warnedDefaultFilter = false;
  private readonly log = new Logger('KafkaBatchTransport');

  constructor(private readonly options: KafkaTransportOptions) {
    super();
  }

  listen(callback: (err?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  private async start(): Promise<void> {
    const serde =
      this.options.registry instanceof AvroSerde
        ? this.options.registry
        : new AvroSerde(new SchemaRegistryClient(this.options.registry));
    const handlers = [...this.getHandlers()].map(([pattern, handler]) =>
      this.toRegistration(pattern, handler),
    );
    if (handlers.length === 0)
      throw new Error('KafkaBatchTransport: no @KafkaHandler/@EventPattern handlers found');
    this.consumer = new BatchConsumer({
      ...this.options,
      kafka: createKafka(this.options.kafka),
      serde,
      handlers,
      logger: this.log,
      listeners: [...(this.options.listeners ?? []), ...this.pendingListeners],
    });
    await this.consumer.start();
  }

  private toRegistration(topic: string, handler: MessageHandler): HandlerRegistration {
    const extras = handler.extras as Record<string, unknown> | undefined;
    const options = (extras?.[KAFKA_HANDLER_OPTIONS] ?? {}) as HandlerOptions;
    const invoke = async (
      data: KafkaRecord | KafkaRecord[],
      ctx: HandlerContext | BatchHandlerContext,
    ): Promise<void> => {
      try {
        const result: unknown = await handler(data, new KafkaContext(ctx));
        await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
      } catch (err) {
        throw this.unwrapNestError(err);
      }
    };
    if (options.mode === 'batch') {
      return {
        topic,
        options: { ...options, mode: 'batch' },
        handle: (records: KafkaRecord[], ctx: BatchHandlerContext) => invoke(records, ctx),
      };
    }
    return {
      topic,
      options: { ...options, mode: 'record' },
      handle: (record: KafkaRecord, ctx: HandlerContext) => invoke(record, ctx),
    };
  }

  /** Nest's default filter replaced the error by a plain object: say once how to keep it typed. */
  private unwrapNestError(err: unknown): unknown {
    if (
      !(err instanceof Error) &&
      typeof err === 'object' &&
      err !== null &&
      (err as { status?: unknown }).status === 'error'
    ) {
      if (!this.warnedDefaultFilter) {
        this.warnedDefaultFilter = true;
        this.log.warn(
          'handler errors reach the transport untyped: import KafkaTransportModule (or use KafkaExceptionFilter)',
        );
      }
    }
    return err;
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
  }

  /** Listens to kafkajs consumer instrumentation events (`consumer.events.*`). */
  // The signature is Nest's (Server.on).
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  on<EventKey extends string = string, EventCallback extends Function = Function>(
    event: EventKey,
    callback: EventCallback,
  ): void {
    const cb = callback as unknown as (...args: unknown[]) => void;
    const kc = this.consumer?.kafkaConsumer;
    if (kc) kc.on(event as never, cb);
    else this.pendingListeners.push([event, cb]);
  }

  unwrap<T>(): T {
    if (!this.consumer?.kafkaConsumer) throw new Error('KafkaBatchTransport is not listening yet');
    return this.consumer.kafkaConsumer as T;
  }
}
