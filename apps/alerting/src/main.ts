/**
 * alerting: evaluates event-time rules over traffic.normalized, transport.normalized and
 * incidents.normalized (and the sources' DLQ rate), keeps one episode per rule and subject
 * (FIRING once, RESOLVED once, hysteresis, cooldown) and writes the alerts topic (compacted, keyed
 * by alert_id). PostgreSQL (history, open alerts) and signed webhooks follow that topic in their
 * own consumer groups. REST: GET /alerts/open, GET /alerts/history, GET /alerts/:id,
 * POST /alerts/:id/ack. Configuration: .env.example, section "alerting"; thresholds: the rules
 * file (rules/alerting-rules.yaml). Ports: ALERTING_HTTP_PORT (API), ALERTING_METRICS_PORT.
 */
import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfigOrExit, loadRepoEnvFiles, redactedJson } from '@citypulse/config';
import { contractOf, dlqTopic, TOPICS, type Alert } from '@citypulse/contracts';
import {
  AvroSerde,
  createKafka,
  ensureTopics,
  exitOnSignals,
  KafkaBatchTransport,
  KafkaProducer,
  SchemaRegistryClient,
  withKafkaReadiness,
  type BatchConsumer,
} from '@citypulse/kafka';
import { Metrics, startObservabilityServer } from '@citypulse/observability';
import { createPool, migrate } from '@citypulse/postgres';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { setupAlertsApi } from './api/alerts-api';
import { AppModule } from './app.module';
import { alertingConfigSchema, type AlertingConfig } from './config';
import { AlertEngine, type DlqSource } from './engine/alert-engine';
import { AlertingMetrics, ruleSeverities } from './metrics';
import { AlertStore } from './output/alert-store';
import { startStoreFollower } from './output/store-follower';
import { DlqMonitor } from './readings/dlq-monitor';
import { EvaluateReadings } from './readings/evaluate-readings';
import type { InputTopics } from './readings/readings.consumer';
import { readAlertsTopic } from './restore/restore-alerts';
import { loadRules } from './rules/rules-file';
import { receiverName } from './webhooks/webhook-sender';
import { startWebhookFollowers } from './webhooks/webhook-followers';

/** Every topic the service reads and writes: the contracts', or a test's own. */
export interface AlertingTopics extends InputTopics {
  alerts: string;
  /** dead-letter topics whose rate is watched, and the source each counts for */
  deadLetters: Record<string, DlqSource>;
}

export const CONTRACT_TOPICS: AlertingTopics = {
  traffic: TOPICS.trafficNormalized,
  transport: TOPICS.transportNormalized,
  incidents: TOPICS.incidentsNormalized,
  alerts: TOPICS.alerts,
  deadLetters: {
    [dlqTopic(TOPICS.trafficRaw)]: 'traffic',
    [dlqTopic(TOPICS.transportRaw)]: 'transport',
    [dlqTopic(TOPICS.incidentsRaw)]: 'incidents',
  },
};

export interface StartOptions {
  topics?: AlertingTopics;
  /** Node's default process metrics (off in tests that start several instances) */
  defaultMetrics?: boolean;
}

const log = new Logger('Alerting');

/** Nest's loggers for LOG_LEVEL: all at info and below, warnings and errors above, none when silent. */
function nestLogger(
  level: AlertingConfig['log']['level'],
): false | undefined | ('fatal' | 'error' | 'warn')[] {
  if (level === 'silent') return false;
  return level === 'fatal' || level === 'error' || level === 'warn'
    ? ['fatal', 'error', 'warn']
    : undefined;
}

export async function startAlerting(config: AlertingConfig, opts: StartOptions = {}) {
  const s = config.alerting;
  const topics = opts.topics ?? CONTRACT_TOPICS;
  const rules = loadRules(s.rulesFile); // every problem listed, before anything connects
  const metrics = new Metrics({ service: 'alerting', defaultMetrics: opts.defaultMetrics });
  const alertingMetrics = new AlertingMetrics(metrics);
  const obs = await startObservabilityServer({ metrics, ...config.metrics });
  const kafkaReady = obs.health.flag('kafka');
  const kafka = createKafka(config.kafka);
  const alertsContract = contractOf('alerts');
  const partitionsOf = (t: string) =>
    t === topics.traffic ? contractOf('trafficNormalized').partitions : 3;
  await ensureTopics(kafka, [
    ...[topics.traffic, topics.transport, topics.incidents, ...Object.keys(topics.deadLetters)].map(
      (topic) => ({ topic, partitions: partitionsOf(topic) }),
    ),
    // compacted: the last record of every alert survives, which is what a restart rebuilds from
    {
      topic: topics.alerts,
      partitions: alertsContract.partitions,
      configs: { 'cleanup.policy': 'compact' },
    },
  ]);

  const pool = createPool(config.postgres, log);
  if (s.migrate) await migrate(pool, { logger: log });
  const { url, auth } = config.registry;
  const serde = new AvroSerde(
    new SchemaRegistryClient({ url, username: auth?.username, password: auth?.password }),
  );
  // the hot path: alerts leave after at most lingerMs (default 1 ms), acknowledged by all replicas
  const producer = new KafkaProducer({ kafka, serde, metrics, lingerMs: s.lingerMs });
  await producer.connect();
  const alertsOut = await producer.topic<Alert>(topics.alerts, { schema: alertsContract.schema });

  const engine = new AlertEngine(rules, { late: (t) => alertingMetrics.late(t) });
  alertingMetrics.openAlertsFrom(() => engine.openEpisodes(), ruleSeverities(rules));
  alertingMetrics.receivers(s.webhookUrls.map(receiverName));
  const written = await readAlertsTopic(kafka, serde, topics.alerts, s.groupId);
  const alertIds = engine.restore(written);
  log.log(
    `restored ${engine.openCount()} open episode(s) from ${alertIds} alert(s) in ${topics.alerts}`,
  );
  const evaluate = new EvaluateReadings(engine, alertsOut, alertingMetrics);
  const store = new AlertStore(pool);

  const app = await NestFactory.create(
    AppModule.forRoot({ evaluate, store, topics, maxBatchRecords: s.maxBatchRecords }),
    { logger: nestLogger(config.log.level), abortOnError: false },
  );
  app.connectMicroservice<MicroserviceOptions>({
    strategy: new KafkaBatchTransport({
      kafka,
      registry: serde,
      groupId: s.groupId,
      service: 'alerting',
      fromBeginning: s.fromBeginning,
      partitionsConsumedConcurrently: s.partitionsConcurrently,
      maxRecordBytes: config.limits.maxRecordBytes,
      metrics: withKafkaReadiness(metrics, kafkaReady),
    }),
  });
  setupAlertsApi(app); // strict queries, /openapi.json and /docs (before init, which routes 404s)
  await app.init();

  const readerSchema = alertsContract.schema;
  const followers: BatchConsumer[] = [
    await startStoreFollower({
      kafka,
      serde,
      alertsTopic: topics.alerts,
      groupId: `${s.groupId}-store`,
      store,
      readerSchema,
      kafkaMetrics: metrics,
      logger: log,
    }),
    ...(await startWebhookFollowers({
      kafka,
      serde,
      alertsTopic: topics.alerts,
      groupPrefix: s.groupId,
      urls: s.webhookUrls,
      secret: s.webhookSecret ?? '',
      maxAttempts: s.webhookMaxAttempts,
      timeoutMs: s.webhookTimeoutMs,
      queueSize: 100,
      metrics: alertingMetrics,
      kafkaMetrics: metrics,
      logger: log,
      readerSchema,
    })),
  ];
  const dlqMonitor = new DlqMonitor(
    kafka,
    `${s.groupId}-dlq-rate`,
    new Map(Object.entries(topics.deadLetters)),
    evaluate,
    log,
  );
  await dlqMonitor.start();
  obs.health.addCheck('postgres', async () => {
    await pool.query('SELECT 1');
    return true;
  });

  await app.startAllMicroservices();
  await app.listen(s.httpPort, config.metrics.host);
  const httpPort = ((app.getHttpServer() as Server).address() as AddressInfo).port;
  log.log(
    `evaluating ${topics.traffic}, ${topics.transport}, ${topics.incidents} -> ${topics.alerts}; API on :${httpPort}, metrics on :${obs.port}`,
  );
  return {
    app,
    obs,
    httpPort,
    engine,
    close: async () => {
      await app.close(); // drains the batch in flight, commits
      await dlqMonitor.stop();
      await Promise.all(followers.map((f) => f.stop()));
      await producer.disconnect();
      await pool.end();
      await obs.stop();
    },
  };
}

if (require.main === module) {
  loadRepoEnvFiles();
  const config = loadConfigOrExit(alertingConfigSchema);
  log.log(`config: ${redactedJson(config)}`);
  startAlerting(config).then(
    (a) => exitOnSignals({ close: a.close }),
    (err: unknown) => {
      log.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exit(err instanceof Error && 'code' in err && err.code === 'RULES_INVALID' ? 78 : 1);
    },
  );
}
