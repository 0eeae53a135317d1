import {
  defineConfig,
  kafkaEnv,
  loadConfig,
  schemaRegistryEnv,
  type KafkaConfig,
  type SchemaRegistryConfig,
} from '@citypulse/config';
import { registerContracts } from '@citypulse/contracts';
import { createKafka } from '@citypulse/kafka';
import { repoRoot } from '@citypulse/testing';
import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { baseEnv, port, required, resolvePath, sparkPython, type ProcessEnv } from './env';
import { waitHttpOk } from './http';
import { byLabel, parsePrometheus, scrape } from './metrics';
import { ManagedProcess } from './process';
import {
  aggregatesOf,
  FLOW_STREAMS,
  queryOfStream,
  STREAM_SPECS,
  type FlowStream,
} from './streams';
import { activeConsumers, ensureAllTopics, flowTopics, recreateTopics } from './topics';

/** The long-running services a pipeline starts; a normalizer per stream (its worker). */
export type ServiceName =
  | `normalizer-${FlowStream}`
  | 'aggregation-sink'
  | 'spark'
  | 'sensor-generator'
  | 'ticket-producer'
  | 'alerting';
/** The producers: started last, stopped first, and a bounded run of one may end with exit 0. */
const PRODUCERS: readonly ServiceName[] = ['sensor-generator', 'ticket-producer'];

export const normalizerOf = (stream: FlowStream): ServiceName => `normalizer-${stream}`;

/** How the runner itself reaches Kafka and the registry: the variables every service reads. */
const connectionConfig = defineConfig({
  kafka: kafkaEnv({ defaultClientId: 'citypulse-pipeline-runner' }),
  registry: schemaRegistryEnv(),
});

export interface Connection {
  kafka: KafkaConfig;
  registry: SchemaRegistryConfig;
}

/** Kafka (SASL, TLS) and the registry (basic auth) from an env, as libs/config gives them to the services. */
export function connectionOf(env: ProcessEnv): Connection {
  return loadConfig(connectionConfig, env);
}

/** How long the Spark job's set of queries must stay the same before it counts as started. */
const SPARK_SETTLE_MS = 3_000;

export interface PipelineOptions {
  /** the streams to run: a normalizer each, their aggregates in Spark (the sink serves every one) */
  streams: readonly FlowStream[];
  /** logs (one file per service) go here */
  runDir: string;
  /** over the env file for every service: MONGO_DB, LAKE_DIR, CHECKPOINT_DIR, POSTGRES_URL... */
  env?: ProcessEnv;
  /** appended to every consumer group of the run (a test's groups of its own) */
  groupTag?: string;
  /** extra arguments of `main.py stream` (--watermark, --trigger...) */
  sparkArgs?: string[];
  /** the sensor-generator's flags (with its --streams); without them it is not started */
  generatorArgs?: string[];
  /** the ticket-producer's flags; without them it is not started */
  ticketProducerArgs?: string[];
  /** start apps/alerting too (it reads the normalized streams; its own groups and topic) */
  alerting?: boolean;
  /** start the Spark job (default true; a run about alerts alone does without it) */
  spark?: boolean;
  /** delete and recreate the flow's topics, and forget the flow's consumer groups, first */
  freshTopics?: boolean;
  /** how long each service may take to become ready (default 180 s; Spark is the slow one) */
  readyTimeoutMs?: number;
  /** progress lines (default: none) */
  log?: (line: string) => void;
}

/** Where each service answers. */
export interface PipelineUrls {
  /** per stream of the run */
  normalizerMetrics: Partial<Record<FlowStream, string>>;
  sinkMetrics: string;
  sinkApi: string;
  sparkMetrics: string;
  generatorMetrics: string;
  ticketProducerMetrics: string;
  alertingMetrics: string;
  alertingApi: string;
  prometheus: string;
}

/**
 * A flow of one or more streams as child processes: a normalizer per stream
 * (NORMALIZER_WORKER=<stream>, its own metrics port), the aggregation-sink, the Spark streaming job
 * with those streams' aggregates and, when asked, the sensor-generator and the ticket-producer.
 * Used by `make demo` and by the e2e tests, so they start the same things the same way.
 */
export class Pipeline {
  readonly env: ProcessEnv;
  /** Kafka (with SASL/TLS) and the registry (with basic auth), as the services see them. */
  readonly connection: Connection;
  readonly urls: PipelineUrls;
  readonly kafka: Kafka;
  readonly streams: readonly FlowStream[];
  readonly processes = new Map<ServiceName, ManagedProcess>();
  private stopping?: Promise<void>;
  private readonly log: (line: string) => void;

  private constructor(private readonly opts: PipelineOptions) {
    this.log = opts.log ?? (() => undefined);
    if (opts.streams.length === 0) throw new Error('a pipeline runs at least one stream');
    this.streams = FLOW_STREAMS.filter((s) => opts.streams.includes(s));
    const base = baseEnv();
    const env: ProcessEnv = { ...base, ...(opts.env ?? {}) };
    env.LAKE_DIR = resolvePath(required(env, 'LAKE_DIR'));
    env.CHECKPOINT_DIR = resolvePath(required(env, 'CHECKPOINT_DIR'));
    this.env = env;
    const host = 'http://127.0.0.1';
    const at = (v: string) => `${host}:${port(env, v)}`;
    this.urls = {
      normalizerMetrics: Object.fromEntries(
        this.streams.map((s) => [s, at(STREAM_SPECS[s].normalizerPortVar)]),
      ),
      sinkMetrics: at('AGGREGATION_SINK_METRICS_PORT'),
      sinkApi: at('AGGREGATION_SINK_HTTP_PORT'),
      sparkMetrics: at('SPARK_METRICS_PORT'),
      generatorMetrics: at('SENSOR_GENERATOR_METRICS_PORT'),
      ticketProducerMetrics: at('TICKET_PRODUCER_METRICS_PORT'),
      alertingMetrics: at('ALERTING_METRICS_PORT'),
      alertingApi: at('ALERTING_HTTP_PORT'),
      prometheus: required(env, 'PROMETHEUS_URL'),
    };
    // SASL, TLS and the registry's basic auth from the same variables the services read, so the
    // runner works against the secure profile too
    this.connection = connectionOf(env);
    this.kafka = createKafka(this.connection.kafka);
  }

  get lakeDir(): string {
    return this.env.LAKE_DIR;
  }

  get runDir(): string {
    return this.opts.runDir;
  }

  private tagged(group: string): string {
    return this.opts.groupTag ? `${group}-${this.opts.groupTag}` : group;
  }

  /** The consumer group of a stream's normalizer (the worker's default, plus the run's tag). */
  normalizerGroup(stream: FlowStream): string {
    return this.tagged(`normalizer-${stream}`);
  }

  get sinkGroup(): string {
    return this.tagged(this.env.AGGREGATION_SINK_GROUP_ID || 'aggregation-sink');
  }

  /** apps/alerting's group (its store, webhook and DLQ-rate groups are named after it). */
  get alertingGroup(): string {
    return this.tagged(this.env.ALERTING_GROUP_ID || 'alerting');
  }

  /** The groups this flow's services consume in. */
  get consumerGroups(): string[] {
    return [...this.streams.map((s) => this.normalizerGroup(s)), this.sinkGroup];
  }

  /** Prepares Kafka and the registry, starts every service and waits until each one is ready. */
  static async start(opts: PipelineOptions): Promise<Pipeline> {
    const p = new Pipeline(opts);
    mkdirSync(opts.runDir, { recursive: true });
    killOnExit(p);
    try {
      await p.prepare();
      await p.startServices();
    } catch (e) {
      await p.stop();
      throw e;
    }
    return p;
  }

  private async prepare(): Promise<void> {
    const busy = await activeConsumers(this.kafka, flowTopics(this.streams));
    if (busy.size > 0) {
      const list = [...busy].map(([g, m]) => `${g} (${m.join(', ')})`).join('; ');
      throw new Error(
        `the flow is already running (consumer groups with live members: ${list}). ` +
          'Stop it first (Ctrl-C in the terminal running `make demo`), then try again.',
      );
    }
    if (this.opts.freshTopics) {
      this.log(
        `recreating the topics of ${this.streams.join(', ')}, every aggregate topic${this.opts.alerting ? ' and the alerts topic' : ''} (empty)`,
      );
      await recreateTopics(this.kafka, this.streams, { alerts: this.opts.alerting === true });
      await this.deleteGroups(this.consumerGroups, this.opts.alerting ? [this.alertingGroup] : []);
      // the alert tables are a projection of the alerts topic: a fresh topic, fresh tables
      // (else the open alerts of an earlier run stay open forever)
      if (this.opts.alerting) await this.clearAlertTables();
    }
    const created = await ensureAllTopics(this.kafka);
    if (created.length > 0) this.log(`created topics: ${created.join(', ')}`);
    await registerContracts(this.connection.registry, {
      compatibility: this.connection.registry.compatibility,
    });
    this.log('contracts registered in the schema registry');
  }

  private async clearAlertTables(): Promise<void> {
    const pg = new Client({ connectionString: required(this.env, 'POSTGRES_URL') });
    await pg.connect();
    try {
      await pg.query(
        `DO $$ BEGIN IF to_regclass('alert_events') IS NOT NULL THEN TRUNCATE alert_events, alerts; END IF; END $$`,
      );
    } finally {
      await pg.end();
    }
  }

  /** Deletes these groups, and every group named `<prefix>` or `<prefix>-...` (alerting's family). */
  private async deleteGroups(groups: string[], prefixes: string[] = []): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const known = (await admin.listGroups()).groups.map((g) => g.groupId);
      const present = known.filter(
        (g) => groups.includes(g) || prefixes.some((p) => g === p || g.startsWith(`${p}-`)),
      );
      if (present.length > 0) await admin.deleteGroups(present);
    } finally {
      await admin.disconnect();
    }
  }

  private spec(
    name: ServiceName,
    command: string,
    args: string[],
    env: ProcessEnv = {},
  ): ManagedProcess {
    const p = new ManagedProcess({
      name,
      command,
      args,
      env: { ...this.env, ...env },
      cwd: repoRoot(),
      logFile: join(this.opts.runDir, `${name}.log`),
    });
    this.processes.set(name, p);
    return p;
  }

  private async startServices(): Promise<void> {
    const root = repoRoot();
    const node = process.execPath;
    this.spec('aggregation-sink', node, [join(root, 'apps/aggregation-sink/dist/main.js')], {
      AGGREGATION_SINK_GROUP_ID: this.sinkGroup,
    });
    for (const s of this.streams) {
      this.spec(normalizerOf(s), node, [join(root, 'apps/normalizer/dist/main.js')], {
        NORMALIZER_WORKER: s,
        NORMALIZER_GROUP_ID: this.normalizerGroup(s),
        NORMALIZER_METRICS_PORT: String(port(this.env, STREAM_SPECS[s].normalizerPortVar)),
      });
    }
    if (this.opts.spark !== false)
      this.spec('spark', sparkPython(this.env), [
        join(root, 'spark/citypulse_spark/main.py'),
        'stream',
        '--aggregates',
        aggregatesOf(this.streams)
          .map((a) => a.spark)
          .join(','),
        ...(this.opts.sparkArgs ?? []),
      ]);
    if (this.opts.alerting)
      this.spec('alerting', node, [join(root, 'apps/alerting/dist/main.js')], {
        ALERTING_GROUP_ID: this.alertingGroup,
      });
    const first = [...this.processes.keys()];
    for (const n of first) this.processes.get(n)!.start();
    this.log(`started ${first.join(', ')}; logs in ${this.opts.runDir}`);
    await Promise.all(first.map((n) => this.waitReady(n)));
    if (this.opts.generatorArgs)
      await this.startProducer('sensor-generator', this.opts.generatorArgs);
    if (this.opts.ticketProducerArgs)
      await this.startProducer('ticket-producer', this.opts.ticketProducerArgs);
  }

  /** Starts a producer with these flags (also after start(), once the caller knows them). */
  async startProducer(
    name: 'sensor-generator' | 'ticket-producer',
    args: readonly string[],
  ): Promise<void> {
    const main = `apps/${name}/dist/main.js`;
    this.spec(name, process.execPath, [join(repoRoot(), main), ...args]).start();
    await this.waitReady(name);
  }

  /** Waits for a service's readiness: /health for the Node services, every query running for Spark. */
  async waitReady(name: ServiceName): Promise<void> {
    const p = this.processes.get(name);
    if (!p) throw new Error(`${name} is not part of this pipeline`);
    const t0 = Date.now();
    const timeoutMs = this.opts.readyTimeoutMs ?? 180_000;
    const common = { timeoutMs, alive: () => p.running, logFile: p.spec.logFile };
    const stream = this.streams.find((s) => normalizerOf(s) === name);
    if (stream) {
      await waitHttpOk(`${this.urls.normalizerMetrics[stream]}/health/ready`, name, common);
    } else if (name === 'aggregation-sink') {
      await waitHttpOk(`${this.urls.sinkMetrics}/health/ready`, name, common);
    } else if (name === 'alerting') {
      await waitHttpOk(`${this.urls.alertingMetrics}/health/ready`, name, common);
    } else if (name === 'sensor-generator' || name === 'ticket-producer') {
      const url =
        name === 'sensor-generator' ? this.urls.generatorMetrics : this.urls.ticketProducerMetrics;
      // a bounded run may finish before anyone looks; that is fine
      await waitHttpOk(`${url}/health/live`, name, {
        ...common,
        alive: () => p.running || p.exit?.code === 0,
      }).catch((e: unknown) => {
        if (p.exit?.code !== 0) throw e;
      });
    } else {
      await waitHttpOk(`${this.urls.sparkMetrics}/metrics`, 'the Spark job', {
        ...common,
        ready: sparkStarted(this.streams),
      });
    }
    this.log(`${name} ready (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }

  /**
   * Whether every stateful Spark query of a stream has its event-time watermark at `ms` or past
   * it. Which queries those are comes from the job's metrics, not from a list of names: once every
   * query of the stream has run a batch, the ones that report a watermark are the stateful ones.
   */
  async watermarkPassed(stream: FlowStream, ms: number): Promise<boolean> {
    const m = await scrape(`${this.urls.sparkMetrics}/metrics`);
    const active = [...byLabel(m, 'citypulse_spark_query_active', 'query')]
      .filter(([q, v]) => v === 1 && queryOfStream(q, stream))
      .map(([q]) => q);
    if (active.length === 0) return false;
    const batches = byLabel(m, 'citypulse_spark_batches_total', 'query');
    if (!active.every((q) => (batches.get(q) ?? 0) > 0)) return false;
    const marks = byLabel(m, 'citypulse_spark_watermark_timestamp_seconds', 'query');
    const stateful = active.filter((q) => marks.has(q));
    return stateful.length > 0 && stateful.every((q) => Math.round(marks.get(q)! * 1000) >= ms);
  }

  /** SIGKILL a service's process group at once (the fault case). */
  async kill9(name: ServiceName): Promise<void> {
    await this.processes.get(name)?.kill9();
  }

  /** Starts a stopped or killed service again and waits until it is ready. */
  async restart(name: ServiceName): Promise<void> {
    const p = this.processes.get(name);
    if (!p) throw new Error(`${name} is not part of this pipeline`);
    if (p.running) await p.stop();
    p.start();
    await this.waitReady(name);
  }

  /** Services that exited while they should be running, with how they ended. */
  crashed(): string[] {
    const out: string[] = [];
    for (const [name, p] of this.processes) {
      if (!p.running && p.exit && !(PRODUCERS.includes(name) && p.exit.code === 0)) {
        out.push(`${name} (${p.exit.signal ?? `exit ${p.exit.code}`}; log ${p.spec.logFile})`);
      }
    }
    return out;
  }

  /** Stops the producers (they flush what they hold) and waits for them. */
  async stopProducers(): Promise<void> {
    await Promise.all(
      PRODUCERS.map(async (n) => {
        const p = this.processes.get(n);
        if (p?.running) this.log(`stopping ${n}: ${await p.stop(15_000)}`);
      }),
    );
  }

  /**
   * Stops everything: the producers first (they flush what they hold), then the others together;
   * each gets SIGTERM, then SIGKILL after its timeout. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.stopProducers();
      await Promise.all(
        [...this.processes]
          .filter(([, p]) => p.running)
          .map(async ([n, p]) =>
            this.log(`stopping ${n}: ${await p.stop(n === 'spark' ? 45_000 : 20_000)}`),
          ),
      );
      for (const p of this.processes.values()) p.closeLog();
      live.delete(this);
    })();
    return this.stopping;
  }
}

// Last resort when the runner itself exits without stop() (an uncaught error, or a SIGTERM or
// SIGHUP nobody else handles, as a test runner's timeout sends): no orphans.
const live = new Set<Pipeline>();
let hooked = false;
function killOnExit(p: Pipeline): void {
  live.add(p);
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const pl of live) {
      for (const proc of pl.processes.values()) {
        if (proc.running && proc.pid) {
          try {
            process.kill(-proc.pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
      }
    }
  };
  process.on('exit', killAll);
  for (const [sig, code] of [
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    const onSignal = () => {
      // a runner with its own handler (make demo stops its services in order) decides itself
      if (process.listenerCount(sig) > 1) return;
      killAll();
      process.exit(code);
    };
    process.on(sig, onSignal);
  }
}

/**
 * The readiness test of the Spark job's /metrics: every query it started is active
 * (citypulse_spark_query_active 1), each stream of the run has one, and the set of queries has
 * stayed the same for SPARK_SETTLE_MS (the job starts its queries one after another, and the
 * metrics answer before the first). No list of query names: the job decides its queries.
 */
function sparkStarted(streams: readonly FlowStream[]): (body: string) => boolean {
  let seen = '';
  let since = 0;
  return (body) => {
    const active = byLabel(parsePrometheus(body), 'citypulse_spark_query_active', 'query');
    const names = [...active.keys()].sort();
    const ok =
      names.length > 0 &&
      [...active.values()].every((v) => v === 1) &&
      streams.every((s) => names.some((q) => queryOfStream(q, s)));
    const now = Date.now();
    if (!ok || names.join(',') !== seen) {
      seen = ok ? names.join(',') : '';
      since = now;
      return false;
    }
    return now - since >= SPARK_SETTLE_MS;
  };
}
