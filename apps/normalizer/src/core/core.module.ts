import { AvroSerde, KafkaProducer, SchemaRegistryClient, createKafka } from '@citypulse/kafka';
import type { Metrics } from '@citypulse/observability';
import { createPool, migrate } from '@citypulse/postgres';
import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import type { NormalizerConfig } from '../config/normalizer.config';
import { KAFKA, KAFKA_PRODUCER, METRICS, NORMALIZER_CONFIG, PG_POOL } from '../tokens';

/** Closes what the core module opened, producer first so in-flight records are flushed. */
@Injectable()
class CoreShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(KAFKA_PRODUCER) private readonly producer: KafkaProducer,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    try {
      await this.producer.disconnect();
    } finally {
      await this.pool.end();
    }
  }
}

/**
 * What every worker stands on: the config, metrics, the Kafka client and idempotent producer,
 * and the PostgreSQL pool (the schema migrated and the reference tables seeded at start, under
 * an advisory lock, so any number of instances may start together).
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: NormalizerConfig, metrics: Metrics): DynamicModule {
    const log = new Logger('Normalizer');
    return {
      module: CoreModule,
      providers: [
        { provide: NORMALIZER_CONFIG, useValue: config },
        { provide: METRICS, useValue: metrics },
        { provide: KAFKA, useFactory: () => createKafka(config.kafka) },
        {
          provide: KAFKA_PRODUCER,
          inject: [KAFKA],
          useFactory: async (kafka: Kafka) => {
            const { url, auth } = config.registry;
            const serde = new AvroSerde(
              new SchemaRegistryClient({ url, username: auth?.username, password: auth?.password }),
            );
            const producer = new KafkaProducer({ kafka, serde, metrics });
            await producer.connect();
            return producer;
          },
        },
        {
          provide: PG_POOL,
          useFactory: async () => {
            const pool = createPool(config.postgres, log);
            if (config.normalizer.NORMALIZER_MIGRATE) {
              try {
                await migrate(pool, { logger: log });
              } catch (e) {
                await pool.end().catch(() => undefined);
                throw e;
              }
            }
            return pool;
          },
        },
        CoreShutdown,
      ],
      exports: [NORMALIZER_CONFIG, METRICS, KAFKA, KAFKA_PRODUCER, PG_POOL],
    };
  }
}
