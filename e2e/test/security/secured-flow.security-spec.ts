/**
 * The services on the secured stack (deploy/local/stack.sh up secure; started here when it is down):
 * Kafka with SASL/SCRAM-SHA-512 over TLS on its own ports, the schema registry behind HTTP basic auth.
 * Every service gets the same variables a deployment would set (secured-stack.ts, secureEnv) and
 * nothing else. The test shows that
 *   - the broker and the registry refuse clients without the right credentials, TLS or CA;
 *   - the traffic flow runs end to end through them: sensor-generator -> traffic.raw -> normalizer
 *     -> traffic.normalized -> Spark -> agg topics -> aggregation-sink -> PostgreSQL + MongoDB, and
 *     traffic.normalized -> alerting -> alerts -> PostgreSQL; the CLI lists and decodes the topics;
 *     every reading is counted once, against what the generator was asked to send;
 *   - a wrong password ends each service and the Spark job at once with a clear error, after one
 *     refusal by the broker (its log counts them), not a retry storm;
 *   - no password shows in any service's output, and each logs its configuration at start with the
 *     secrets masked.
 */
import { TOPICS, registerContracts } from '@citypulse/contracts';
import { uniqueName, waitFor } from '@citypulse/testing';
import type { Kafka } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { endOffsetTotal, recreateTopics, sparkPython, type ManagedProcess } from '../../src';
import {
  appMain,
  brokerLogSize,
  exitWithin,
  failedAuthentications,
  freePort,
  kafkaOf,
  log,
  registryUrl,
  secrets,
  secureEnv,
  service,
  stack,
  useSecureProfile,
} from './secured-stack';
import { pgUrl } from '../harness';

const READINGS = 3_000;
/** 07:00 UTC two days ago: a fixed simulated start, recent enough for the normalizer's checks. */
const START = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000 + 7 * 3_600_000;
/** A standstill in zone Z03 from 2 to 17 minutes into the run: severe congestion for alerting. */
const SCENARIO = { jams: [{ zone: 'Z03', at_s: 120, for_s: 900, speed_factor: 0.05 }] };
const WRONG = `wrong-${Date.now().toString(36)}`;

describe('the secured stack: SASL/SCRAM-SHA-512 over TLS, the registry behind basic auth', () => {
  let stopProfile: () => void = () => undefined;
  let tmp: string;
  let kafka: Kafka;
  const id = uniqueName('sec').replace(/-/g, '_');
  const pgSchema = `security_${id}`;
  const mongoDb = `citypulse_${id}`.slice(0, 60);
  const running: ManagedProcess[] = [];
  let failed = false;

  const pg = async <T>(sql: string): Promise<T[]> => {
    const c = new Client({ connectionString: pgUrl(pgSchema) });
    await c.connect();
    try {
      return (await c.query(sql)).rows as T[];
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    stopProfile = useSecureProfile();
    tmp = mkdtempSync(join(tmpdir(), 'citypulse-security-'));
    kafka = kafkaOf(secureEnv());
    const c = new Client({ connectionString: pgUrl() });
    await c.connect();
    await c.query(`CREATE SCHEMA ${pgSchema}`);
    await c.end();
  }, 600_000);

  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    for (const p of running) p.closeLog();
    await dropStores(pgSchema, mongoDb);
    if (failed) log(`kept the services' logs in ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
    stopProfile();
  }, 300_000);

  /** Marks the run failed until the test body finishes (the logs are kept then). */
  const keepLogsOnFailure =
    <T>(body: () => Promise<T>) =>
    async () => {
      failed = true;
      await body();
      failed = false;
    };

  it(
    'refuses a client without the right credentials, TLS or CA, and the registry one without basic auth',
    keepLogsOnFailure(async () => {
      const attempt = async (env: Record<string, string>) => {
        const admin = kafkaOf(env).admin();
        try {
          await admin.connect();
          await admin.listTopics();
          return 'connected';
        } catch (e) {
          return (e as Error).name;
        } finally {
          await admin.disconnect().catch(() => undefined);
        }
      };
      expect(await attempt(secureEnv())).toBe('connected');
      expect(await attempt(secureEnv({ KAFKA_SASL_PASSWORD: WRONG }))).toBe(
        'KafkaJSSASLAuthenticationError',
      );
      expect(await attempt(secureEnv({ KAFKA_SASL_USERNAME: 'nobody' }))).toBe(
        'KafkaJSSASLAuthenticationError',
      );
      // TLS but no SASL, and SASL without TLS: the listener takes neither
      expect(
        await attempt(
          secureEnv({ KAFKA_SASL_MECHANISM: '', KAFKA_SASL_USERNAME: '', KAFKA_SASL_PASSWORD: '' }),
        ),
      ).not.toBe('connected');
      expect(await attempt(secureEnv({ KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: '' }))).not.toBe(
        'connected',
      );

      const get = (auth?: string) =>
        fetch(`${registryUrl}/subjects`, {
          headers: auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {},
        });
      expect((await get()).status).toBe(401);
      expect((await get(`${secrets.registryUser}:${WRONG}`)).status).toBe(401);
      const ok = await get(`${secrets.registryUser}:${secrets.registryPassword}`);
      expect(ok.status).toBe(200);
      expect(Array.isArray(await ok.json())).toBe(true);
    }),
  );

  it(
    'runs the traffic flow and alerting end to end through it, every reading counted once',
    keepLogsOnFailure(async () => {
      await recreateTopics(kafka, ['traffic'], { alerts: true });
      await registerContracts({
        url: registryUrl,
        auth: { username: secrets.registryUser, password: secrets.registryPassword },
      });
      const ports = {
        normalizer: await freePort(),
        sinkMetrics: await freePort(),
        sinkHttp: await freePort(),
        alertingMetrics: await freePort(),
        alertingHttp: await freePort(),
        spark: await freePort(),
        generator: await freePort(),
      };
      const env = secureEnv({
        POSTGRES_URL: pgUrl(pgSchema),
        MONGO_DB: mongoDb,
        LAKE_DIR: join(tmp, 'lake'),
        CHECKPOINT_DIR: join(tmp, 'checkpoints'),
        LOG_LEVEL: 'info',
      });
      const services = {
        normalizer: service('normalizer', tmp, [appMain('normalizer')], {
          ...env,
          NORMALIZER_WORKER: 'traffic',
          NORMALIZER_GROUP_ID: `normalizer-${id}`,
          NORMALIZER_METRICS_PORT: String(ports.normalizer),
        }),
        sink: service('aggregation-sink', tmp, [appMain('aggregation-sink')], {
          ...env,
          AGGREGATION_SINK_GROUP_ID: `sink-${id}`,
          AGGREGATION_SINK_METRICS_PORT: String(ports.sinkMetrics),
          AGGREGATION_SINK_HTTP_PORT: String(ports.sinkHttp),
        }),
        alerting: service('alerting', tmp, [appMain('alerting')], {
          ...env,
          ALERTING_GROUP_ID: `alerting-${id}`,
          ALERTING_FROM_BEGINNING: 'true',
          ALERTING_METRICS_PORT: String(ports.alertingMetrics),
          ALERTING_HTTP_PORT: String(ports.alertingHttp),
        }),
        spark: service(
          'spark',
          tmp,
          [
            join(stack.CITYPULSE_ROOT, 'spark/citypulse_spark/main.py'),
            'stream',
            '--aggregates',
            'traffic_zone_5m,mobility_index_5m',
            // nothing is late: every reading counts, in windows the sink receives as updates
            '--watermark',
            '12 hours',
            '--trigger',
            '2 seconds',
            '--outputs',
            'kafka',
          ],
          { ...env, SPARK_METRICS_PORT: String(ports.spark) },
          sparkPython(env),
        ),
      };
      running.push(...Object.values(services));
      for (const p of Object.values(services)) p.start();
      const ready = async (p: ManagedProcess, url: string, check?: (body: string) => boolean) => {
        await waitFor(
          async () => {
            if (!p.running) throw new Error(`${p.spec.name} exited; see ${p.spec.logFile}`);
            const r = await fetch(url).catch(() => undefined);
            return r?.ok && (check?.(await r.text()) ?? true);
          },
          { timeoutMs: 300_000, intervalMs: 1_000, what: `${p.spec.name} to be ready` },
        ).catch((e: Error) => {
          throw new Error(`${e.message}\n${tail(p)}`);
        });
        log(`${p.spec.name} ready`);
      };
      await Promise.all([
        ready(services.normalizer, `http://127.0.0.1:${ports.normalizer}/health/ready`),
        ready(services.sink, `http://127.0.0.1:${ports.sinkMetrics}/health/ready`),
        ready(services.alerting, `http://127.0.0.1:${ports.alertingMetrics}/health/ready`),
        ready(services.spark, `http://127.0.0.1:${ports.spark}/metrics`, (body) =>
          /citypulse_spark_query_active\{[^}]*query="windows_traffic"[^}]*\} 1(\.0)?$/m.test(body),
        ),
      ]);

      const scenarioFile = join(tmp, 'scenario.json');
      writeFileSync(scenarioFile, JSON.stringify(SCENARIO));
      const generator = service(
        'sensor-generator',
        tmp,
        [
          appMain('sensor-generator'),
          ...['--streams', 'traffic', '--events', String(READINGS), '--rate', 'max'],
          ...['--start', String(START), '--interval', '30', '--seed', `security-${id}`],
          ...['--scenario-file', scenarioFile],
        ],
        { ...env, SENSOR_GENERATOR_METRICS_PORT: String(ports.generator) },
      );
      running.push(generator);
      generator.start();
      expect(await exitWithin(generator, 180_000)).toBe(0);
      log(`the generator sent ${READINGS} readings`);

      // every reading normalized once, none rejected
      await waitFor(
        async () => (await endOffsetTotal(kafka, TOPICS.trafficNormalized)) >= READINGS,
        {
          timeoutMs: 180_000,
          what: `${READINGS} normalized readings`,
        },
      );
      expect(await endOffsetTotal(kafka, TOPICS.trafficRaw)).toBe(READINGS);
      expect(await endOffsetTotal(kafka, TOPICS.trafficNormalized)).toBe(READINGS);
      expect(await endOffsetTotal(kafka, `${TOPICS.trafficRaw}.dlq`)).toBe(0);

      // Spark's windows of them in the sink's stores: each reading in exactly one 5-minute window
      const readingsIn = async (table: string) =>
        Number(
          (await pg<{ n: string | null }>(`SELECT sum(readings) AS n FROM ${table}`))[0]?.n ?? 0,
        );
      await waitFor(
        async () =>
          (await readingsIn('traffic_window_aggregates')) === READINGS &&
          (await readingsIn('mobility_index')) === READINGS,
        {
          timeoutMs: 300_000,
          intervalMs: 2_000,
          what: 'the sink to hold every reading in windows',
        },
      ).catch(async (e: Error) => {
        const got = `${await readingsIn('traffic_window_aggregates')} / ${await readingsIn('mobility_index')}`;
        throw new Error(
          `${e.message} (PostgreSQL: ${got} of ${READINGS})\n${tail(services.spark)}`,
        );
      });
      const mongo = new MongoClient(stack.MONGO_URL);
      await mongo.connect();
      try {
        const docs = await mongo.db(mongoDb).collection('traffic_aggregations').find().toArray();
        expect(docs.reduce((n, d) => n + Number(d.readings), 0)).toBe(READINGS);
      } finally {
        await mongo.close();
      }

      // alerting: the jam fired severe congestion in Z03, through the alerts topic into PostgreSQL
      const fired = await waitFor(
        async () => {
          const rows = await pg<{ alert_type: string; zone_id: string }>(
            `SELECT alert_type, zone_id FROM alerts WHERE alert_type = 'SEVERE_CONGESTION' AND zone_id = 'Z03'`,
          ).catch(() => []);
          return rows.length > 0 && rows;
        },
        { timeoutMs: 120_000, intervalMs: 1_000, what: 'a severe congestion alert for Z03' },
      );
      expect(fired[0]).toEqual({ alert_type: 'SEVERE_CONGESTION', zone_id: 'Z03' });

      // the CLI: the topics with their counts and the normalizer's group, the alerts decoded
      const cli = async (name: string, args: string[]) => {
        const p = service(name, tmp, [appMain('cli'), ...args], env);
        p.start();
        const code = await exitWithin(p, 60_000);
        p.closeLog();
        const out = readFileSync(p.spec.logFile, 'utf8');
        expect({ code, out }).toEqual({ code: 0, out: expect.any(String) as string });
        return out;
      };
      const listing = await cli('cli-topics', ['topics', 'traffic.*', '--json']);
      const report = JSON.parse(
        listing.slice(listing.indexOf('{'), listing.lastIndexOf('}') + 1),
      ) as {
        brokers: string[];
        topics: { topic: string; records: number; groups: { group: string; lag: number }[] }[];
      };
      expect(report.brokers).toEqual([env.KAFKA_BROKERS]);
      const raw = report.topics.find((t) => t.topic === TOPICS.trafficRaw);
      expect(raw?.records).toBe(READINGS);
      expect(raw?.groups).toContainEqual(
        expect.objectContaining({ group: `normalizer-${id}`, lag: 0 }),
      );
      const tailed = (await cli('cli-tail', ['tail', TOPICS.alerts, '-n', '3']))
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { value?: { alert_type?: string }; decodeError?: string });
      expect(tailed.length).toBeGreaterThan(0);
      for (const r of tailed) {
        expect(r.decodeError).toBeUndefined();
        expect(r.value?.alert_type).toEqual(expect.any(String));
      }

      await Promise.all(Object.values(services).map((p) => p.stop()));
      expectNoSecrets();
      // each long-running service said how it connects at start, the secrets masked
      for (const name of ['normalizer', 'alerting', 'sensor-generator', 'aggregation-sink']) {
        const line = startupConfigLine(join(tmp, `${name}.log`));
        expect(line).toMatchObject({
          kafka: {
            brokers: [env.KAFKA_BROKERS],
            sasl: { mechanism: 'scram-sha-512', username: secrets.kafkaUser, password: '***' },
            ssl: {
              rejectUnauthorized: true,
              ca: [expect.stringMatching(/^\[PEM CERTIFICATE, \d+ bytes\]$/)],
            },
          },
          registry: { url: registryUrl, auth: { username: secrets.registryUser, password: '***' } },
        });
      }
      expect(readFileSync(services.spark.spec.logFile, 'utf8')).toContain(
        `Kafka ${env.KAFKA_BROKERS} (SASL_SSL, SCRAM-SHA-512 as ${secrets.kafkaUser}, CA ${env.KAFKA_SSL_CA_FILE}); ` +
          `schema registry ${registryUrl} (basic auth as ${secrets.registryUser})`,
      );
    }),
    900_000,
  );

  it(
    'a wrong password ends every service at once with a clear error, after one refusal each',
    keepLogsOnFailure(async () => {
      const env = secureEnv({
        POSTGRES_URL: pgUrl(pgSchema),
        MONGO_DB: mongoDb,
        LAKE_DIR: join(tmp, 'lake-wrong'),
        CHECKPOINT_DIR: join(tmp, 'checkpoints-wrong'),
        KAFKA_SASL_PASSWORD: WRONG,
        NORMALIZER_METRICS_PORT: '0',
        AGGREGATION_SINK_METRICS_PORT: '0',
        AGGREGATION_SINK_HTTP_PORT: String(await freePort()),
        ALERTING_METRICS_PORT: '0',
        ALERTING_HTTP_PORT: String(await freePort()),
        SENSOR_GENERATOR_METRICS_PORT: '0',
        SPARK_METRICS_PORT: String(await freePort()),
      });
      const cases: { name: string; args: string[]; command?: string; withinMs: number }[] = [
        { name: 'normalizer', args: [appMain('normalizer')], withinMs: 30_000 },
        { name: 'aggregation-sink', args: [appMain('aggregation-sink')], withinMs: 30_000 },
        { name: 'alerting', args: [appMain('alerting')], withinMs: 30_000 },
        {
          name: 'sensor-generator',
          args: [appMain('sensor-generator'), '--streams', 'traffic', '--events', '10'],
          withinMs: 30_000,
        },
        { name: 'cli', args: [appMain('cli'), 'topics'], withinMs: 30_000 },
        {
          name: 'spark',
          args: [
            join(stack.CITYPULSE_ROOT, 'spark/citypulse_spark/main.py'),
            'stream',
            '--aggregates',
            'traffic_zone_5m',
          ],
          command: sparkPython(env),
          withinMs: 240_000, // the JVM's start is most of it; the refusal ends it within seconds
        },
      ];
      const outcomes: Record<string, unknown> = {};
      for (const c of cases) {
        const before = brokerLogSize();
        const p = service(`${c.name}-wrong-password`, tmp, c.args, env, c.command);
        running.push(p);
        const t0 = Date.now();
        p.start();
        const code = await exitWithin(p, c.withinMs);
        const seconds = (Date.now() - t0) / 1000;
        if (code === undefined) await p.stop();
        p.closeLog();
        // the broker writes its log line as it refuses; give the last one a moment to land
        await new Promise((r) => setTimeout(r, 500));
        const refusals = failedAuthentications(before);
        const out = readFileSync(p.spec.logFile, 'utf8');
        log(
          `${c.name}: exit ${code} after ${seconds.toFixed(1)} s, ${refusals} refusal(s) by the broker`,
        );
        outcomes[c.name] = {
          exited: code !== undefined && code !== 0,
          clearError: /authentication failed|invalid credentials/i.test(out),
          refusals: refusals >= 1 && refusals <= 3 ? 'one to three' : refusals,
        };
      }
      const expected = { exited: true, clearError: true, refusals: 'one to three' };
      expect(outcomes).toEqual(Object.fromEntries(cases.map((c) => [c.name, expected])));
      expectNoSecrets();
    }),
    900_000,
  );

  it(
    'a wrong registry password ends the generator and the CLI with the registry refusal',
    keepLogsOnFailure(async () => {
      const env = secureEnv({
        SCHEMA_REGISTRY_PASSWORD: WRONG,
        SENSOR_GENERATOR_METRICS_PORT: '0',
      });
      for (const [name, args] of [
        [
          'sensor-generator-wrong-registry',
          [appMain('sensor-generator'), '--streams', 'traffic', '--events', '10'],
        ],
        ['cli-wrong-registry', [appMain('cli'), 'tail', TOPICS.trafficNormalized, '-n', '1']],
      ] as const) {
        const p = service(name, tmp, [...args], env);
        running.push(p);
        p.start();
        const code = await exitWithin(p, 60_000);
        p.closeLog();
        const out = readFileSync(p.spec.logFile, 'utf8');
        expect({ name, code, refusal: /HTTP 401: Unauthorized/.test(out) }).toEqual({
          name,
          code: 1,
          refusal: true,
        });
      }
      expectNoSecrets();
    }),
    300_000,
  );

  /** No log of this run holds a password, the right ones or the wrong one: the services' and the
   * secure profile's own (the broker, the registry proxy, their supervisor). */
  function expectNoSecrets(): void {
    const leaks: string[] = [];
    const logs = join(stack.CITYPULSE_STACK, 'logs');
    const files = [
      ...readdirSync(tmp)
        .filter((n) => n.endsWith('.log'))
        .map((n) => join(tmp, n)),
      ...['kafka-secure', 'registry-auth', 'process-compose-secure'].map((n) =>
        join(logs, `${n}.log`),
      ),
    ];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const secret of [secrets.kafkaPassword, secrets.registryPassword, WRONG]) {
        if (text.includes(secret)) leaks.push(`${f} holds a password (${secret.slice(0, 3)}...)`);
      }
    }
    expect(leaks).toEqual([]);
  }
});

/** This run's PostgreSQL schema and MongoDB database, gone (whatever is left of them). */
async function dropStores(pgSchema: string, mongoDb: string): Promise<void> {
  const c = new Client({ connectionString: pgUrl() });
  const mongo = new MongoClient(stack.MONGO_URL);
  try {
    await Promise.all([c.connect(), mongo.connect()]);
    await Promise.all([
      c.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`),
      mongo.db(mongoDb).dropDatabase(),
    ]);
  } finally {
    await Promise.all([c.end(), mongo.close()]);
  }
}

/** The last lines of a service's log, for a failure message. */
function tail(p: ManagedProcess): string {
  const lines = readFileSync(p.spec.logFile, 'utf8').trimEnd().split('\n');
  return `last lines of ${p.spec.logFile}:\n${lines.slice(-15).join('\n')}`;
}

/** The JSON of the `config: {...}` line a service logs at start. */
function startupConfigLine(logFile: string): unknown {
  // eslint-disable-next-line no-control-regex
  const text = readFileSync(logFile, 'utf8').replace(/\u001b\[[0-9;]*m/g, '');
  const line = text.split('\n').find((l) => l.includes('config: {'));
  if (!line) throw new Error(`${logFile} has no start-up config line`);
  return JSON.parse(line.slice(line.indexOf('config: {') + 'config: '.length));
}
