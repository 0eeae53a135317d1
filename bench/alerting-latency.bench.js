#!/usr/bin/env node
/**
 * Event-to-alert latency: raw traffic readings sent at a fixed rate (default 10,000/s) through the
 * normalizer (its traffic worker) and apps/alerting, each in a process of its own on topics of this
 * run; the latency of an alert is the time from sending the raw reading that caused it
 * (`source_event_id`) to the alert arriving from the alerts topic. Next to it, in the same run and
 * over the same broker, the broker's own produce -> consume round trip (bench/lib/round-trip.js, the
 * probe every latency stage uses: 50 records/s beside the load), so the figure can be read against
 * what Kafka alone costs on this machine.
 *
 * The bench rules (written to a temp file) keep only severe congestion, with a 0.2 s window, no
 * cooldown and every zone's speed flipping between jammed and free every second, so alerts fire
 * and resolve all the time: every flip is an alert whose latency is measured.
 *
 *   node bench/alerting-latency.bench.js     (scripts/bench.sh builds the apps first; BENCH_ONLY=alerting)
 *   env: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, POSTGRES_URL (from .env), BENCH_RATE (readings/s, 10000),
 *        BENCH_SECONDS (measured, 30), BENCH_WARMUP_SECONDS (not measured, 5),
 *        BENCH_FROM=raw (default: through the normalizer) | normalized (readings sent straight to
 *        the normalized topic: apps/alerting's share alone)
 */
'use strict';
const { spawn } = require('node:child_process');
const { createRequire } = require('node:module');
const { mkdtempSync, readFileSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { recordResults } = require('./results');
const { summary } = require('./lib/common');
const { sendPaced } = require('./lib/paced-sender');
const { RoundTripProbe } = require('./lib/round-trip');

const root = path.resolve(__dirname, '..');
const RUN = `bench-alerting-${Date.now().toString(36)}`;
const TOPICS = {
  raw: `${RUN}.traffic.raw`,
  traffic: `${RUN}.traffic.normalized`,
  transport: `${RUN}.transport.normalized`,
  incidents: `${RUN}.incidents.normalized`,
  alerts: `${RUN}.alerts`,
};

if (process.argv[2] === '--child') {
  runChild(process.argv[3]).catch((e) => {
    process.stderr.write(`${e.stack ?? e}\n`);
    process.exit(1);
  });
} else {
  main().then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`${e.stack ?? e}\n`);
      process.exit(1);
    },
  );
}

/** A service in its own process: the normalizer's traffic worker or the alerting service. */
async function runChild(which) {
  const env = { ...process.env };
  if (which === 'normalizer') {
    const req = createRequire(path.join(root, 'apps/normalizer/package.json'));
    req('reflect-metadata');
    const { loadConfig } = req('@citypulse/config');
    const { Metrics } = req('@citypulse/observability');
    const { NestFactory } = req('@nestjs/core');
    const dist = path.join(root, 'apps/normalizer/dist');
    const { normalizerConfigSchema } = require(path.join(dist, 'config/normalizer.config'));
    const { NormalizerModule } = require(path.join(dist, 'normalizer.module'));
    const { normalizerTransport } = require(path.join(dist, 'transport'));
    const config = loadConfig(normalizerConfigSchema, env);
    const metrics = new Metrics({ service: 'normalizer', defaultMetrics: false });
    const app = await NestFactory.createMicroservice(
      NormalizerModule.forRoot(config, metrics, {
        input: TOPICS_OF(env).raw,
        output: TOPICS_OF(env).traffic,
      }),
      { strategy: normalizerTransport(config, metrics), logger: ['error'] },
    );
    await app.listen();
  } else {
    const req = createRequire(path.join(root, 'apps/alerting/package.json'));
    const { loadConfig } = req('@citypulse/config');
    const { alertingConfigSchema } = require(path.join(root, 'apps/alerting/dist/config'));
    const { startAlerting } = require(path.join(root, 'apps/alerting/dist/main'));
    const t = TOPICS_OF(env);
    await startAlerting(loadConfig(alertingConfigSchema, env), {
      topics: {
        traffic: t.traffic,
        transport: t.transport,
        incidents: t.incidents,
        alerts: t.alerts,
        deadLetters: {},
      },
      defaultMetrics: false,
    });
  }
  process.stdout.write('READY\n');
}

function TOPICS_OF(env) {
  return JSON.parse(env.BENCH_TOPICS);
}

function startService(which, env) {
  const proc = spawn(process.execPath, [__filename, '--child', which], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr.on('data', (d) => (err += d.toString()));
  const ready = new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => d.toString().includes('READY') && resolve());
    proc.on('exit', (code) => reject(new Error(`${which} exited ${code}: ${err.slice(-2000)}`)));
  });
  return { proc, ready };
}

async function main() {
  const req = createRequire(path.join(root, 'apps/alerting/package.json'));
  const { parseEnvFile } = req('@citypulse/testing');
  const env = { ...parseEnvFile(readFileSync(path.join(root, '.env.example'), 'utf8')) };
  try {
    Object.assign(env, parseEnvFile(readFileSync(path.join(root, '.env'), 'utf8')));
  } catch {
    // no .env: the defaults
  }
  for (const k of Object.keys(env)) if (process.env[k] !== undefined) env[k] = process.env[k];
  const RATE = Number(process.env.BENCH_RATE ?? 10_000);
  const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
  const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
  const FROM = process.env.BENCH_FROM === 'normalized' ? 'normalized' : 'raw';

  const lib = req('@citypulse/kafka');
  const { contractOf, loadCity } = {
    ...req('@citypulse/contracts'),
    ...createRequire(path.join(root, 'libs/postgres/package.json'))('./dist'),
  };
  const { Kafka, logLevel } = req('kafkajs');
  const kafka = new Kafka({
    brokers: env.KAFKA_BROKERS.split(','),
    clientId: RUN,
    logLevel: logLevel.NOTHING,
  });
  await lib.ensureTopics(
    kafka,
    Object.values(TOPICS).map((topic) => ({ topic, partitions: 3 })),
  );

  // rules: severe congestion only, short window, no cooldown
  const { loadRules } = require(path.join(root, 'apps/alerting/dist/rules/rules-file'));
  const { DEFAULT_RULES_FILE } = require(path.join(root, 'apps/alerting/dist/config'));
  const rules = JSON.parse(JSON.stringify(loadRules(DEFAULT_RULES_FILE)));
  for (const [k, v] of Object.entries(rules))
    if (typeof v === 'object' && k !== 'severe_congestion') v.enabled = false;
  Object.assign(rules.severe_congestion, {
    window_seconds: 0.2,
    min_readings: 1,
    cooldown_seconds: 0,
  });
  const rulesFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-rules-')), 'rules.json');
  writeFileSync(rulesFile, JSON.stringify(rules));

  // alerting's tables in a schema of this run (the shared public schema is left alone)
  const { Pool } = req('pg');
  const pgSchema = RUN.replace(/-/g, '_');
  const pg = new Pool({ connectionString: env.POSTGRES_URL, max: 1 });
  await pg.query(`CREATE SCHEMA ${pgSchema}`);
  const sep = env.POSTGRES_URL.includes('?') ? '&' : '?';
  const childEnv = {
    ...process.env,
    ...env,
    BENCH_TOPICS: JSON.stringify(TOPICS),
    LOG_LEVEL: 'error',
    NORMALIZER_WORKER: 'traffic',
    NORMALIZER_GROUP_ID: `${RUN}-normalizer`,
    NORMALIZER_METRICS_PORT: '0',
    NORMALIZER_MAX_BATCH: '500',
    NORMALIZER_MIGRATE: 'false',
    ALERTING_GROUP_ID: `${RUN}-alerting`,
    ALERTING_POSTGRES_URL: undefined,
    ALERTING_METRICS_PORT: '0',
    ALERTING_HTTP_PORT: '0',
    ALERTING_RULES_FILE: rulesFile,
    ALERTING_FROM_BEGINNING: 'true',
    ALERTING_WEBHOOK_URLS: '',
  };
  delete childEnv.ALERTING_POSTGRES_URL;
  const alertingEnv = {
    ...childEnv,
    POSTGRES_URL: `${env.POSTGRES_URL}${sep}options=${encodeURIComponent(`-c search_path=${pgSchema}`)}`,
  };
  const services = [startService('alerting', alertingEnv)];
  if (FROM === 'raw') services.push(startService('normalizer', childEnv));
  await Promise.all(services.map((s) => s.ready));

  const city = loadCity();
  const serde = new lib.AvroSerde(new lib.SchemaRegistryClient({ url: env.SCHEMA_REGISTRY_URL }));
  const inTopic = FROM === 'raw' ? TOPICS.raw : TOPICS.traffic;
  const inStream = FROM === 'raw' ? 'trafficRaw' : 'trafficNormalized';
  const inSchemaId = await serde.register(`${inTopic}-value`, contractOf(inStream).schema);
  const zoneOf = new Map(city.zones.map((z) => [z.id, z]));
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    idempotent: false,
    maxInFlightRequests: 5,
  });
  await producer.connect();
  const probe = await new RoundTripProbe({ kafka, topic: `${RUN}.ping`, rate: 50 }).start();

  const sentAt = new Map();
  const alertLatency = [];
  let measuring = false;
  const alertsIn = kafka.consumer({ groupId: `${RUN}-reader`, maxWaitTimeInMs: 100 });
  await alertsIn.connect();
  await alertsIn.subscribe({ topic: TOPICS.alerts, fromBeginning: true });
  let alertsSeen = 0;
  await alertsIn.run({
    eachMessage: async ({ message }) => {
      const now = Date.now();
      alertsSeen++;
      const a = (await serde.decode(message.value)).value;
      const t = a.source_event_id ? sentAt.get(a.source_event_id) : undefined;
      if (measuring && t !== undefined) alertLatency.push(now - t);
    },
  });

  const sensors = city.sensors;
  let seq = 0;
  const PHASE_MS = 1_000;
  const started = Date.now();
  process.stdout.write(
    `alerting latency from ${FROM} readings: ${RATE} readings/s for ${WARMUP}+${SECONDS} s over ${sensors.length} sensors (${RUN})\n`,
  );
  const { sent } = await sendPaced({
    producer,
    topic: inTopic,
    rate: RATE,
    acks: 1,
    durationMs: (WARMUP + SECONDS) * 1000,
    onTick: (now) => {
      if (!measuring && now >= started + WARMUP * 1000) {
        measuring = true;
        probe.measure();
      }
    },
    build: (n, now) => {
      const jammed = Math.floor(now / PHASE_MS) % 2 === 0;
      const messages = [];
      for (let i = 0; i < n; i++) {
        const s = sensors[seq % sensors.length];
        const id = `${RUN}-${seq++}`;
        messages.push({
          key: s.id,
          value: serde.encode(
            inSchemaId,
            FROM === 'raw'
              ? {
                  event_id: id,
                  event_time: now,
                  sensor_id: s.id,
                  zone_id: s.zone_id,
                  speed: jammed ? 1 : 60,
                  speed_unit: 'KMH',
                  vehicle_count: 5,
                  occupancy_pct: 30,
                  source: 'bench',
                }
              : {
                  event_id: id,
                  event_time: now,
                  sensor_id: s.id,
                  zone_id: s.zone_id,
                  zone_name: zoneOf.get(s.zone_id).name,
                  speed_kmh: jammed ? 1 : 60,
                  vehicle_count: 5,
                  occupancy_pct: 30,
                  speed_limit_kmh: 50,
                  capacity: 1800,
                  original_speed_unit: 'KMH',
                  source: 'bench',
                  ingested_at: now,
                },
          ),
        });
        sentAt.set(id, now);
      }
      return messages;
    },
  });
  const elapsed = (Date.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 2_000)); // the last alerts
  measuring = false;

  const alerts = summary(alertLatency);
  const ping = await probe.stop();
  const achieved = Math.round(sent / elapsed);
  process.stdout.write(
    [
      `sent ${sent} readings in ${elapsed.toFixed(1)} s (${achieved}/s); ${alertsSeen} alerts`,
      `                           n      p50 ms   p99 ms   max ms`,
      `${FROM.padEnd(10)} -> alert  ${String(alerts.n).padStart(7)} ${String(alerts.p50).padStart(8)} ${String(alerts.p99).padStart(8)} ${String(alerts.max).padStart(8)}`,
      `broker produce->consume ${String(ping.n).padStart(5)} ${String(ping.p50).padStart(8)} ${String(ping.p99).padStart(8)} ${String(ping.max).padStart(8)}`,
      '',
    ].join('\n'),
  );
  const key = FROM === 'raw' ? 'alerting' : 'alerting_from_normalized';
  recordResults(
    {
      [`${key}_latency_p50_ms`]: alerts.p50,
      [`${key}_latency_p99_ms`]: alerts.p99,
      [`${key}_broker_rtt_p99_ms`]: ping.p99,
    },
    {
      [key]: {
        rate: RATE,
        achievedRate: achieved,
        seconds: SECONDS,
        alerts,
        brokerRoundTrip: ping,
        load1: os.loadavg()[0],
      },
    },
  );

  await Promise.allSettled([alertsIn.disconnect(), producer.disconnect()]);
  for (const s of services) s.proc.kill('SIGKILL');
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(TOPICS) }).catch(() => undefined);
  await admin.disconnect();
  await pg.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
  await pg.end();
}
