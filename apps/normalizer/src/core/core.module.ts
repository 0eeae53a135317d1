import { AvroSerde, KafkaProducer, SchemaRegistryClient, createKafka } from '@citypulse/kafka';
import type { Metrics } from '@citypulse/observability';
import { createPool, migrate, ReferenceDataRepository } from '@citypulse/postgres';
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
import {
  KAFKA,
  KAFKA_PRODUCER,
  METRICS,
  NORMALIZER_CONFIG,
  PG_POOL,
  REFERENCE_DATA,
} from '../tokens';

/** Closes what the core module opened, producer first so in-flight records are flushed. */
@Injectable()
class CoreShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(KAFKA_PRODUCER) private readonly producer: KafkaProducer,
    @Inject(REFERENCE_DATA) private readonly reference: ReferenceDataRepository,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.reference.stop();
    try {
      await this.producer.disconnect();
    } finally {
      await this.pool.end();
    }
  }
}

/**
 * What every worker stands on: the config, metrics, the Kafka client and idempotent producer,
 * and the PostgreSQL reference data (migrated and seeded at start, cached, refreshed).
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
          useFactory: () => createPool(config.postgres, log),
        },
        {
          provide: REFERENCE_DATA,
          inject: [PG_POOL],
          useFactory: async (pool: Pool) => {
            if (config.normalizer.NORMALIZER_MIGRATE) await migrate(pool, { logger: log });
            const refreshes = metrics.counter(
              'normalizer_reference_refreshes_total',
              'Reloads of the reference data from PostgreSQL, by outcome.',
              ['outcome'],
            );
            const reference = new ReferenceDataRepository(pool, {
              refreshIntervalMs: config.normalizer.NORMALIZER_REFERENCE_REFRESH_SECONDS * 1000,
              logger: log,
              onRefresh: ({ ok }) => refreshes.inc({ outcome: ok ? 'ok' : 'failed' }),
            });
            await reference.start();
            log.log(
              `reference data: ${reference.zones().length} zones, ${reference.sensors().length} sensors`,
            );
            return reference;
          },
        },
        CoreShutdown,
      ],
      exports: [NORMALIZER_CONFIG, METRICS, KAFKA, KAFKA_PRODUCER, PG_POOL, REFERENCE_DATA],
    };
  }
}
