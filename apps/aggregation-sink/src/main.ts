/**
 * aggregation-sink: consumes every aggregate topic of the contracts (agg.traffic.5m,
 * agg.mobility.5m, agg.transport.10m, agg.incidents.15m, agg.tickets.1m; one spec each in
 * src/aggregates/specs.ts), upserts each window into MongoDB and PostgreSQL (newest version wins,
 * replays change nothing), and serves a REST read API. Configuration: .env.example, section
 * "aggregation-sink". Ports: AGGREGATION_SINK_HTTP_PORT (API), AGGREGATION_SINK_METRICS_PORT
 * (/metrics, /health).
 */
import 'reflect-metadata';
import { Logger, type LogLevel as NestLogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { loadConfigOrExit, redactedJson, type LogLevel } from '@citypulse/config';
import {
  createKafka,
  ensureContractTopics,
  exitOnSignals,
  KafkaBatchTransport,
} from '@citypulse/kafka';
import { Metrics, startObservabilityServer } from '@citypulse/observability';
import { MongoClient } from 'mongodb';
import type { Pool } from 'pg';
import { AGGREGATE_SPECS } from './aggregates/specs';
import { AppModule } from './app.module';
import { sinkConfigSchema, type SinkConfig } from './config';
import { SinkMetrics } from './infra/sink-metrics';
import { MONGO_CLIENT, PG_POOL } from './infra/tokens';
import { setupReadApi } from './read-api/read-api.module';

/** Write retries: 0.5 s doubling to 15 s; 25 attempts ride out about five minutes of outage. */
export function writeBackoff(maxAttempts: number) {
  return { initialMs: 500, maxMs: 15_000, multiplier: 2, jitter: 0.2, maxAttempts };
}

function nestLogLevels(level: LogLevel): NestLogLevel[] {
  const order: NestLogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
  const upto: Record<LogLevel, number> = {
    silent: -1,
    fatal: 0,
    error: 1,
    warn: 2,
    info: 3,
    debug: 4,
    trace: 5,
  };
  return order.slice(0, upto[level] + 1);
}

/** What tests may change about a sink; production uses the defaults. */
export interface StartOptions {
  /** where a new consumer group starts (default: the beginning, so a new sink sees all history) */
  fromBeginning?: boolean;
}

export async function startSink(config: SinkConfig, opts: StartOptions = {}) {
  const metrics = new Metrics({ service: 'aggregation-sink' });
  const sinkMetrics = new SinkMetrics(metrics);
  const obs = await startObservabilityServer({ metrics, ...config.metrics });
  const kafkaReady = obs.health.flag('kafka');
  const kafka = createKafka(config.kafka);
  // the consumed topics (not their DLQs: the transport creates those), so the sink can start
  // before the Spark job has produced anything
  await ensureContractTopics(
    kafka,
    AGGREGATE_SPECS.map((s) => s.stream),
    { dlq: false },
  );

  const app = await NestFactory.create(AppModule.forRoot(config, sinkMetrics), {
    logger: nestLogLevels(config.log.level),
    abortOnError: false,
  });
  app.connectMicroservice<MicroserviceOptions>({
    strategy: new KafkaBatchTransport({
      kafka,
      fromBeginning: opts.fromBeginning ?? true,
      registry: {
        url: config.registry.url,
        ...(config.registry.auth && { auth: config.registry.auth }),
      },
      groupId: config.sink.groupId,
      service: 'aggregation-sink',
      maxRecordBytes: config.limits.maxRecordBytes,
      backoff: writeBackoff(config.sink.writeMaxAttempts),
      metrics: {
        ...sinkMetrics.kafka(),
        kafkaConnected: (c) => {
          metrics.kafkaConnected(c);
          kafkaReady.set(c, c ? undefined : 'consumer disconnected');
        },
      },
    }),
  });
  setupReadApi(app); // strict queries, /openapi.json and /docs (before init, which routes 404s)
  await app.init(); // migrations and indexes, before anything is consumed

  const pool = app.get<Pool>(PG_POOL);
  const mongo = app.get<MongoClient>(MONGO_CLIENT);
  obs.health.addCheck('postgres', async () => {
    await pool.query('SELECT 1');
    return true;
  });
  obs.health.addCheck('mongodb', async () => {
    await mongo.db('admin').command({ ping: 1 });
    return true;
  });

  await app.startAllMicroservices();
  kafkaReady.set(true);
  await app.listen(config.sink.httpPort, config.metrics.host);
  Logger.log(
    `consuming ${AGGREGATE_SPECS.map((s) => s.topic).join(', ')}; API on :${config.sink.httpPort}, metrics on :${obs.port}`,
    'AggregationSink',
  );
  return {
    app,
    obs,
    close: async () => {
      await app.close();
      await obs.stop();
    },
  };
}

if (require.main === module) {
  const config = loadConfigOrExit(sinkConfigSchema);
  Logger.log(`config: ${redactedJson(config)}`, 'AggregationSink'); // secrets masked
  startSink(config).then(
    (sink) => exitOnSignals({ close: sink.close }),
    (err: unknown) => {
      Logger.error(
        err instanceof Error ? (err.stack ?? err.message) : String(err),
        'AggregationSink',
      );
      process.exit(1);
    },
  );
}
