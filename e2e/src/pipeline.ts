import { registerContracts } from '@citypulse/contracts';
import { createKafka } from '@citypulse/kafka';
import { repoRoot } from '@citypulse/testing';
import type { Kafka } from 'kafkajs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { baseEnv, port, required, resolvePath, sparkPython, type ProcessEnv } from './env';
import { waitHttpOk } from './http';
import { parsePrometheus, sum } from './metrics';
import { ManagedProcess } from './process';
import { activeConsumers, ensureAllTopics, flowTopics, recreateTopics } from './topics';

/** The Spark job's queries (spark/citypulse_spark/main.py); the stateful ones carry a watermark. */
export const SPARK_QUERIES = [
  'bronze_traffic',
  'silver_traffic',
  'gold_traffic_zone_5m',
  'gold_mobility_index_5m',
  'agg_traffic_zone_5m',
  'agg_mobility_index_5m',
] as const;
export const SPARK_STATEFUL_QUERIES = SPARK_QUERIES.filter(
  (q) => q.startsWith('gold_') || q.startsWith('agg_'),
);

export type ServiceName = 'normalizer' | 'aggregation-sink' | 'spark' | 'sensor-generator';

export interface PipelineOptions {
  /** logs (one file per service) go here */
  runDir: string;
  /** over the env file for every service: MONGO_DB, LAKE_DIR, CHECKPOINT_DIR, group ids... */
  env?: ProcessEnv;
  /** extra arguments of `main.py stream` (--watermark, --trigger...) */
  sparkArgs?: string[];
  /** the generator's flags; without them no generator is started (the caller produces) */
  generatorArgs?: string[];
  /** delete and recreate the flow's topics, and forget the flow's consumer groups, first */
  freshTopics?: boolean;
  /** how long each service may take to become ready (default 180 s; Spark is the slow one) */
  readyTimeoutMs?: number;
  /** progress lines (default: none) */
  log?: (line: string) => void;
}

/** Where each service answers. */
export interface PipelineUrls {
  normalizerMetrics: string;
  sinkMetrics: string;
  sinkApi: string;
  sparkMetrics: string;
  generatorMetrics: string;
  prometheus: string;
}

/**
 * The traffic flow as child processes: normalizer (WORKER=traffic), aggregation-sink, the Spark
 * streaming job and, when asked, the sensor-generator. Used by `make demo` and by the e2e test,
 * so the two start the same things the same way.
 */
export class Pipeline {
  readonly env: ProcessEnv;
  readonly urls: PipelineUrls;
  readonly kafka: Kafka;
  readonly processes = new Map<ServiceName, ManagedProcess>();
  private stopping?: Promise<void>;
  private readonly log: (line: string) => void;

  private constructor(private readonly opts: PipelineOptions) {
    this.log = opts.log ?? (() => undefined);
    const base = baseEnv();
    const env: ProcessEnv = { ...base, ...(opts.env ?? {}) };
    env.LAKE_DIR = resolvePath(required(env, 'LAKE_DIR'));
    env.CHECKPOINT_DIR = resolvePath(required(env, 'CHECKPOINT_DIR'));
    this.env = env;
    const host = 'http://127.0.0.1';
    this.urls = {
      normalizerMetrics: `${host}:${port(env, 'NORMALIZER_METRICS_PORT')}`,
      sinkMetrics: `${host}:${port(env, 'AGGREGATION_SINK_METRICS_PORT')}`,
      sinkApi: `${host}:${port(env, 'AGGREGATION_SINK_HTTP_PORT')}`,
      sparkMetrics: `${host}:${port(env, 'SPARK_METRICS_PORT')}`,
      generatorMetrics: `${host}:${port(env, 'SENSOR_GENERATOR_METRICS_PORT')}`,
      prometheus: required(env, 'PROMETHEUS_URL'),
    };
    this.kafka = createKafka({
      brokers: required(env, 'KAFKA_BROKERS').split(','),
      clientId: 'citypulse-pipeline-runner',
    });
  }

  get lakeDir(): string {
    return this.env.LAKE_DIR;
  }

  get runDir(): string {
    return this.opts.runDir;
  }

  /** The groups this flow's services consume in (from the env, as the services compute them). */
  get consumerGroups(): string[] {
    const worker = this.env.NORMALIZER_WORKER || 'traffic';
    return [
      this.env.NORMALIZER_GROUP_ID || `normalizer-${worker}`,
      this.env.AGGREGATION_SINK_GROUP_ID || 'aggregation-sink',
    ];
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
    const busy = await activeConsumers(this.kafka, flowTopics());
    if (busy.size > 0) {
      const list = [...busy].map(([g, m]) => `${g} (${m.join(', ')})`).join('; ');
      throw new Error(
        `the traffic flow is already running (consumer groups with live members: ${list}). ` +
          'Stop it first (Ctrl-C in the terminal running `make demo`), then try again.',
      );
    }
    if (this.opts.freshTopics) {
      this.log('recreating the flow topics (empty) and forgetting the flow consumer groups');
      await recreateTopics(this.kafka);
      await this.deleteGroups(this.consumerGroups);
    }
    const created = await ensureAllTopics(this.kafka);
    if (created.length > 0) this.log(`created topics: ${created.join(', ')}`);
    const user = this.env.SCHEMA_REGISTRY_USERNAME;
    await registerContracts({
      url: required(this.env, 'SCHEMA_REGISTRY_URL'),
      ...(user
        ? { auth: { username: user, password: this.env.SCHEMA_REGISTRY_PASSWORD ?? '' } }
        : {}),
    });
    this.log('contracts registered in the schema registry');
  }

  private async deleteGroups(groups: string[]): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const known = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
      const present = groups.filter((g) => known.has(g));
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
    this.spec('aggregation-sink', node, [join(root, 'apps/aggregation-sink/dist/main.js')]);
    this.spec('normalizer', node, [join(root, 'apps/normalizer/dist/main.js')], {
      NORMALIZER_WORKER: 'traffic',
    });
    this.spec('spark', sparkPython(this.env), [
      join(root, 'spark/citypulse_spark/main.py'),
      'stream',
      // the traffic flow's aggregates only (the job runs every stream's by default)
      '--aggregates',
      'traffic_zone_5m,mobility_index_5m',
      ...(this.opts.sparkArgs ?? []),
    ]);
    const first: ServiceName[] = ['aggregation-sink', 'normalizer', 'spark'];
    for (const n of first) this.processes.get(n)!.start();
    this.log(`started ${first.join(', ')}; logs in ${this.opts.runDir}`);
    await Promise.all(first.map((n) => this.waitReady(n)));
    if (this.opts.generatorArgs) {
      this.spec('sensor-generator', node, [
        join(root, 'apps/sensor-generator/dist/main.js'),
        ...this.opts.generatorArgs,
      ]);
      this.processes.get('sensor-generator')!.start();
      await this.waitReady('sensor-generator');
    }
  }

  /** Waits for a service's readiness: /health for the Node services, every query running for Spark. */
  async waitReady(name: ServiceName): Promise<void> {
    const p = this.processes.get(name);
    if (!p) throw new Error(`${name} is not part of this pipeline`);
    const t0 = Date.now();
    const timeoutMs = this.opts.readyTimeoutMs ?? 180_000;
    const common = { timeoutMs, alive: () => p.running, logFile: p.spec.logFile };
    switch (name) {
      case 'normalizer':
        await waitHttpOk(`${this.urls.normalizerMetrics}/health/ready`, name, common);
        break;
      case 'aggregation-sink':
        await waitHttpOk(`${this.urls.sinkMetrics}/health/ready`, name, common);
        break;
      case 'sensor-generator':
        // a bounded run may finish before anyone looks; that is fine
        await waitHttpOk(`${this.urls.generatorMetrics}/health/live`, name, {
          ...common,
          alive: () => p.running || p.exit?.code === 0,
        }).catch((e: unknown) => {
          if (p.exit?.code !== 0) throw e;
        });
        break;
      case 'spark':
        await waitHttpOk(`${this.urls.sparkMetrics}/metrics`, 'the Spark job', {
          ...common,
          ready: (body) =>
            sum(parsePrometheus(body), 'citypulse_spark_query_active') >= SPARK_QUERIES.length,
        });
        break;
    }
    this.log(`${name} ready (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
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
      if (!p.running && p.exit && !(name === 'sensor-generator' && p.exit.code === 0)) {
        out.push(`${name} (${p.exit.signal ?? `exit ${p.exit.code}`}; log ${p.spec.logFile})`);
      }
    }
    return out;
  }

  /**
   * Stops everything: the generator first (it flushes what it holds), then the others together;
   * each gets SIGTERM, then SIGKILL after its timeout. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const gen = this.processes.get('sensor-generator');
      if (gen?.running) this.log(`stopping sensor-generator: ${await gen.stop(15_000)}`);
      await Promise.all(
        [...this.processes]
          .filter(([n, p]) => n !== 'sensor-generator' && p.running)
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

// Last resort when the runner itself exits without stop() (an uncaught error): no orphans.
const live = new Set<Pipeline>();
let hooked = false;
function killOnExit(p: Pipeline): void {
  live.add(p);
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
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
  });
}
