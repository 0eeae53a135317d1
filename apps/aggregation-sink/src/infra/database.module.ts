import {
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createPool, migrate } from '@citypulse/postgres';
import { MongoClient, type Db } from 'mongodb';
import type { Pool } from 'pg';
import { AGGREGATE_SPECS } from '../aggregates/specs';
import type { SinkConfig } from '../config';
import { MongoAggregatesStore } from '../stores/mongo-aggregates.store';
import { PgAggregatesStore } from '../stores/pg-aggregates.store';
import { MONGO_CLIENT, MONGO_DB, PG_POOL, SINK_CONFIG } from './tokens';

const log = new Logger('Database');

/**
 * The PostgreSQL pool and the MongoDB client, the schema (migrations, indexes) made ready before
 * anything consumes, and both closed only after the Kafka consumer has drained (shutdown hook,
 * which Nest runs after it closed the microservice).
 */
@Global()
@Module({
  providers: [
    {
      provide: PG_POOL,
      inject: [SINK_CONFIG],
      useFactory: (config: SinkConfig): Pool => createPool(config.postgres, log),
    },
    {
      provide: MONGO_CLIENT,
      inject: [SINK_CONFIG],
      useFactory: async (config: SinkConfig): Promise<MongoClient> => {
        const client = new MongoClient(config.mongo.url, {
          appName: 'aggregation-sink',
          serverSelectionTimeoutMS: 5_000,
          socketTimeoutMS: 30_000,
        });
        await client.connect();
        return client;
      },
    },
    {
      provide: MONGO_DB,
      inject: [MONGO_CLIENT, SINK_CONFIG],
      useFactory: (client: MongoClient, config: SinkConfig): Db => client.db(config.mongo.db),
    },
    {
      provide: PgAggregatesStore,
      inject: [PG_POOL],
      useFactory: (p: Pool) => new PgAggregatesStore(p),
    },
    {
      provide: MongoAggregatesStore,
      inject: [MONGO_DB],
      useFactory: (db: Db) => new MongoAggregatesStore(db),
    },
  ],
  exports: [PG_POOL, MONGO_CLIENT, MONGO_DB, PgAggregatesStore, MongoAggregatesStore],
})
export class DatabaseModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(SINK_CONFIG) private readonly config: SinkConfig,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(MONGO_CLIENT) private readonly mongo: MongoClient,
    private readonly mongoStore: MongoAggregatesStore,
    private readonly pgStore: PgAggregatesStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.sink.migrate) {
      const result = await migrate(this.pool, { logger: log });
      log.log(
        `PostgreSQL schema ready (${result.applied.length} applied, ${result.alreadyApplied.length} already there)`,
      );
    }
    // a contract field without its migration stops the sink here, not at its first batch
    const problems = await this.pgStore.tableProblems(AGGREGATE_SPECS);
    if (problems.length > 0) {
      throw new Error(
        `the PostgreSQL tables do not fit the aggregate contracts (add a migration in libs/postgres): ${problems.join('; ')}`,
      );
    }
    await this.mongoStore.ensureIndexes();
    log.log(`MongoDB indexes ready in ${this.config.mongo.db}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.pool.end(), this.mongo.close()]);
  }
}
