/**
 * What every fault case shares: the traffic flow at load (the sensor-generator app itself,
 * producing a few thousand readings per second with a dump of what it sent), a supervisor that
 * restarts a service that exits (as process-compose or Kubernetes would), the native stack's own
 * services killed, stopped and started (deploy/local/stack.sh), and the check against an
 * independent computation of the windows from the dump: every window of both traffic aggregates
 * exact in MongoDB, PostgreSQL and gold Parquet, every reject in the DLQ (harness.ts verifyRun).
 *
 * Nothing here is late on purpose: the generator sends no "late" records, and the Spark watermark
 * (5 simulated minutes, 13 wall seconds) is larger than the disorder within a partition (out of
 * order up to 60 simulated seconds; a record handled again after a fault is a duplicate either way),
 * so every valid reading must be counted exactly once.
 */
import { TOPICS } from '@citypulse/contracts';
import { createKafka } from '@citypulse/kafka';
import { loadCity } from '@citypulse/postgres';
import { fromJsonLine, type GeneratedRecord } from '@citypulse/sensor-generator';
import { repoRoot, waitFor } from '@citypulse/testing';
import { spawn } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import type { Kafka } from 'kafkajs';
import { dirname, join } from 'node:path';
import {
  byLabel,
  ManagedProcess,
  scrape,
  sum,
  waitHttpOk,
  type Pipeline,
  type ServiceName,
} from '../../src';
import { NormalizerModel, trafficAggregates, type Accepted } from '../expected';
import {
  endRun,
  env,
  log,
  START,
  startRun,
  verifyRun,
  type Plan,
  type Run,
  type RunOptions,
  type SentRecord,
} from '../harness';

/** Where the supervisor lists the run's process groups (see Supervisor.recordChildren). */
const CHILDREN_FILE = join(env.CITYPULSE_STACK, 'run', 'fault-children.pids');
mkdirSync(dirname(CHILDREN_FILE), { recursive: true });

/** The cluster profile's three brokers (deploy/local/stack.sh up cluster). */
export const CLUSTER_BROKERS = ['kafka-1', 'kafka-2', 'kafka-3'] as const;
/** The cluster profile's services: its brokers, and the Spark standalone master and workers. */
const CLUSTER_SERVICES = [
  ...CLUSTER_BROKERS,
  'spark-master',
  'spark-worker-1',
  'spark-worker-2',
] as const;
export type ClusterService = (typeof CLUSTER_SERVICES)[number];

/** The native stack's supervised services (deploy/local/stack.sh), the cluster profile's too. */
export type StackService =
  'kafka' | 'schema-registry' | 'ferretdb' | 'postgres' | 'prometheus' | ClusterService;

/** Faults of the generated data: every kind that has a fixed outcome (no "late": see the top). */
export const LOAD_FAULTS = {
  duplicates: 0.01,
  outOfOrder: 0.01,
  malformed: 0.004,
  brokenAvro: 0.002,
  messyIds: 0.02,
};

export interface Load {
  /** readings per wall second (modest: the machine is shared) */
  rate: number;
  /**
   * simulated seconds between two readings of one sensor (44 sensors): with rate this sets how
   * fast simulated time runs, rate x interval / 44 simulated seconds per wall second
   */
  intervalSeconds: number;
  /** the generator stops by itself after this many records (bounded: the machine is shared) */
  maxEvents: number;
}

/** 2,000 readings/s, 23 simulated seconds per wall second, at most 300,000 readings (2.5 min). */
export const DEFAULT_LOAD: Load = { rate: 2_000, intervalSeconds: 0.5, maxEvents: 300_000 };

/**
 * deploy/local/stack.sh on this checkout's stack: kill, stop and start one service, of the default
 * stack or of the cluster profile (a cluster service's commands name the profile, as
 * `stack.sh kill kafka-2 cluster` does).
 */
export class StackControl {
  constructor(private readonly env: Record<string, string>) {}

  private static profile(svc: StackService): string[] {
    return (CLUSTER_SERVICES as readonly string[]).includes(svc) ? ['cluster'] : [];
  }

  private run(args: string[]): Promise<void> {
    const t0 = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(join(repoRoot(), 'deploy/local/stack.sh'), args, {
        env: this.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      child.once('error', reject);
      child.once('exit', (code) => {
        const took = ((Date.now() - t0) / 1000).toFixed(1);
        for (const line of out.trim().split('\n')) if (line) log(`  ${line}`);
        if (code === 0) resolve();
        else reject(new Error(`stack.sh ${args.join(' ')} failed (exit ${code}) after ${took} s`));
      });
    });
  }

  /** Sends a signal (default SIGKILL) to the service's own process; returns once it is gone. */
  kill(svc: StackService, signal = 'KILL'): Promise<void> {
    return this.run(['kill', svc, signal, ...StackControl.profile(svc)]);
  }

  /** A clean stop; the supervisor does not restart it. */
  stop(svc: StackService): Promise<void> {
    return this.run(['stop', svc, ...StackControl.profile(svc)]);
  }

  /** Waits until the service runs and is healthy again, starting it when it is stopped. */
  start(svc: StackService): Promise<void> {
    return this.run(['start', svc, ...StackControl.profile(svc)]);
  }

  /** Whether every service of the profile runs and is healthy (`stack.sh status --quiet`). */
  healthy(profile: 'default' | 'cluster'): Promise<boolean> {
    return this.run(['status', '--quiet', ...(profile === 'cluster' ? ['cluster'] : [])]).then(
      () => true,
      () => false,
    );
  }
}

/**
 * Restarts a pipeline service that exited while nobody meant it to (a crash, an exit for its
 * supervisor), as process-compose or Kubernetes would, a second later; counts each restart so a
 * case can report (or forbid) them. The producers are left alone: they end on their own.
 */
export class Supervisor {
  readonly restarts = new Map<string, number>();
  private readonly held = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pipeline: Pipeline) {
    this.timer = setInterval(() => this.check(), 1_000);
  }

  private check(): void {
    this.recordChildren();
    for (const [name, p] of this.pipeline.processes) {
      if (name === 'sensor-generator' || name === 'ticket-producer') continue;
      if (p.running || this.held.has(name) || !p.exit) continue;
      const how = p.exit.signal ?? `exit ${p.exit.code}`;
      this.restarts.set(name, (this.restarts.get(name) ?? 0) + 1);
      log(`supervisor: ${name} ended (${how}); restarting it (log ${p.spec.logFile})`);
      p.start();
    }
  }

  /**
   * The process groups of the run's services, with their start times, in the stack's run folder:
   * scripts/test-faults.sh ends whatever of them outlives the test runner (a runner killed by a
   * timeout cannot stop its children itself).
   */
  private recordChildren(): void {
    const lines: string[] = [];
    for (const p of this.pipeline.processes.values()) {
      if (!p.running || !p.pid) continue;
      try {
        lines.push(`${p.pid} ${readFileSync(`/proc/${p.pid}/stat`, 'utf8').split(' ')[21]}`);
      } catch {
        // gone meanwhile
      }
    }
    writeFileSync(CHILDREN_FILE, lines.join('\n') + '\n');
  }

  /** Runs `fn` with `name` out of the supervisor's hands (a deliberate kill and restart). */
  async holding<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.held.add(name);
    try {
      return await fn();
    } finally {
      this.held.delete(name);
    }
  }

  /** Hands a process the case started itself to the supervisor too. */
  adopt(name: string, p: ManagedProcess): void {
    this.pipeline.processes.set(name as ServiceName, p);
  }

  stop(): void {
    clearInterval(this.timer);
    rmSync(CHILDREN_FILE, { force: true });
  }

  /** "normalizer-traffic 1, spark 2" or "none". */
  describe(): string {
    const list = [...this.restarts].map(([n, c]) => `${n} ${c}`);
    return list.length > 0 ? list.join(', ') : 'none';
  }
}

/** What a case's fault gets: the run, the stack, the supervisor, and ways to wait on the flow. */
export interface FaultContext {
  run: Run;
  pipeline: Pipeline;
  stack: StackControl;
  supervisor: Supervisor;
  /** records the generator has sent so far (its own counter) */
  sent(): Promise<number>;
  /** waits until the generator has sent at least `n` more records than now */
  produceMore(n: number, timeoutMs?: number): Promise<void>;
  /** the raw topic's records the normalizer group has not committed yet */
  normalizerLag(): Promise<number>;
  /** starts one more traffic normalizer in the run's group (supervised), ready when it returns */
  addNormalizer(name: string): Promise<ManagedProcess>;
  /** takes a normalizer added by addNormalizer away: SIGTERM (it leaves the group) or SIGKILL */
  removeNormalizer(name: string, how: 'term' | 'kill'): Promise<void>;
  /** the members of the run's normalizer group right now (client ids), undefined while unknown */
  normalizerMembers(): Promise<number | undefined>;
  /** waits until Spark's windows query has committed everything the normalized topic holds */
  sparkCaughtUp(timeoutMs?: number): Promise<void>;
  /** the normalized topic's records Spark's windows query has not committed yet; undefined while Kafka is away */
  sparkLag(): Promise<number | undefined>;
  /** the normalized topic's records so far (its end offsets); undefined while Kafka does not answer */
  normalized(): Promise<number | undefined>;
  /**
   * partitions of any topic whose in-sync replicas are fewer than their replicas (a broker is
   * away or still catching up); undefined while Kafka does not answer
   */
  underReplicated(): Promise<number | undefined>;
}

export interface FaultCaseOptions extends RunOptions {
  tag: string;
  /**
   * the flow on the cluster profile (it must be up: `make up-cluster`): the services, the
   * generator and the Spark job on its three brokers (KAFKA_CLUSTER_BROKERS) and its standalone
   * master (SPARK_CLUSTER_MASTER); the registry and the stores stay the default stack's
   */
  cluster?: boolean;
  load?: Partial<Load>;
  /** seconds the generator keeps producing after the fault returned (default 10) */
  tailSeconds?: number;
}

export interface FaultReport {
  plan: Plan<SentRecord, Accepted>;
  restarts: Map<string, number>;
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The sum of a group's uncommitted records on a topic; undefined while Kafka does not answer. */
async function groupLag(kafka: Kafka, groupId: string, topic: string): Promise<number | undefined> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const at = new Map(committed.partitions.map((x) => [x.partition, Number(x.offset)]));
    return ends.reduce((n, e) => n + Number(e.high) - Math.max(0, at.get(e.partition) ?? 0), 0);
  } catch {
    return undefined;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** A TCP port nothing listens on right now (for an extra instance's metrics). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() =>
        typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port')),
      );
    });
  });
}

/** The sum of a topic's end offsets, undefined while Kafka does not answer. */
async function endOffsets(kafka: Kafka, topic: string): Promise<number | undefined> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    return (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0);
  } catch {
    return undefined;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Partitions (of every topic) with fewer in-sync replicas than replicas; undefined while Kafka is away. */
async function underReplicated(kafka: Kafka): Promise<number | undefined> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata();
    return topics
      .flatMap((t) => t.partitions)
      .filter((p) => p.isr.length < p.replicas.length || p.leader < 0).length;
  } catch {
    return undefined;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Live members of a consumer group (a stable or rebalancing one), undefined while Kafka is away. */
async function groupMembers(kafka: Kafka, groupId: string): Promise<number | undefined> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0]?.members.length ?? 0;
  } catch {
    return undefined;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** One more normalizer of the run's traffic group, with a metrics port of its own. */
async function startNormalizer(p: Pipeline, name: string): Promise<ManagedProcess> {
  const port = await freePort();
  const proc = new ManagedProcess({
    name,
    command: process.execPath,
    args: [join(repoRoot(), 'apps/normalizer/dist/main.js')],
    env: {
      ...p.env,
      NORMALIZER_WORKER: 'traffic',
      NORMALIZER_GROUP_ID: p.normalizerGroup('traffic'),
      NORMALIZER_METRICS_PORT: String(port),
    },
    cwd: repoRoot(),
    logFile: join(p.runDir, `${name}.log`),
  });
  proc.start();
  await waitHttpOk(`http://127.0.0.1:${port}/health/ready`, name, {
    timeoutMs: 120_000,
    alive: () => proc.running,
    logFile: proc.spec.logFile,
  });
  return proc;
}

/** Records of the windows query's newest committed micro-batch: the sum of its end offsets. */
function sparkCommitted(checkpoint: string): number {
  let newest = -1;
  try {
    for (const f of readdirSync(join(checkpoint, 'commits')))
      if (/^\d+$/.test(f)) newest = Math.max(newest, Number(f));
  } catch {
    return 0;
  }
  if (newest < 0) return 0;
  // offsets/<N>: "v1", the batch's metadata, then one JSON line per source: {topic: {partition: end}}
  const lines = readFileSync(join(checkpoint, 'offsets', String(newest)), 'utf8')
    .split('\n')
    .slice(2);
  let total = 0;
  for (const line of lines.filter(Boolean)) {
    for (const parts of Object.values(JSON.parse(line) as Record<string, Record<string, number>>))
      for (const end of Object.values(parts)) total += end;
  }
  return total;
}

/** The generator's records so far, from its /metrics (0 before it answers). */
async function generatorSent(p: Pipeline): Promise<number> {
  const m = await scrape(`${p.urls.generatorMetrics}/metrics`);
  return sum(m, 'citypulse_records_produced_total');
}

/**
 * A file's lines, read 16 MiB at a time: a soak's dump (1,800,000 records, over 512 MB) is longer
 * than the longest string V8 makes, so it cannot be read whole.
 */
function* lines(file: string): Generator<string> {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(16 * 1_048_576);
    let rest = Buffer.alloc(0);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const chunk = Buffer.concat([rest, buf.subarray(0, n)]);
      const end = chunk.lastIndexOf(0x0a);
      if (end < 0) {
        rest = chunk;
        continue;
      }
      yield* chunk.subarray(0, end).toString('utf8').split('\n');
      rest = Buffer.from(chunk.subarray(end + 1));
    }
    if (rest.length > 0) yield rest.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The generator's dump (every record it handed to Kafka, in order) judged by the model. */
export function planFromDump(file: string): Plan<SentRecord, Accepted> {
  const model = new NormalizerModel(loadCity(), Date.now());
  const plan: Plan<SentRecord, Accepted> = {
    records: [],
    accepted: [],
    late: new Set(),
    rejected: [],
    reasons: new Map(),
  };
  for (const line of lines(file)) {
    if (!line) continue;
    const r = fromJsonLine<GeneratedRecord>(line);
    plan.records.push(r);
    const v = model.judge(r);
    if (v.kind === 'accepted') plan.accepted.push(v.reading);
    else if (v.kind === 'rejected') {
      plan.rejected.push(r);
      if (r.kind === 'reading') plan.reasons.set(v.reason, (plan.reasons.get(v.reason) ?? 0) + 1);
    }
  }
  return plan;
}

/**
 * startRun, waiting out the members an earlier case left in its groups when it was killed (they
 * count as live until their session timeout, 30 s, and the pipeline refuses to start beside them).
 */
async function startAfterGhosts(opts: FaultCaseOptions): Promise<Run> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRun(`fault-${opts.tag}`, 'traffic', opts);
    } catch (e) {
      const ghosts = e instanceof Error && /already running.*fault_/.test(e.message);
      if (!ghosts || attempt >= 4) throw e;
      log(
        `an earlier fault run's consumers are still registered; waiting for their session timeout`,
      );
      await sleep(15_000);
    }
  }
}

/**
 * One fault case: the traffic flow started (a run of its own), the generator producing at load
 * with a dump, `inject` run while it produces, the generator stopped `tailSeconds` after, then
 * the flow checked against the model's windows from the dump (verifyRun). `inject` may throw to
 * fail the case. Returns the plan and the supervisor's restarts for the case's own assertions.
 */
export async function faultCase(
  opts: FaultCaseOptions,
  inject: (ctx: FaultContext) => Promise<void>,
  after?: (ctx: FaultContext, report: FaultReport) => Promise<void>,
): Promise<FaultReport> {
  const load = { ...DEFAULT_LOAD, ...opts.load };
  // Spark keeps a watermark per partition and each partition is handled in order, so only a
  // partition's own disorder counts: the generator's out-of-order records (up to 60 simulated s)
  opts = { watermarkMs: 5 * 60_000, ...opts };
  if (opts.cluster) {
    if (!(await new StackControl(env).healthy('cluster')))
      throw new Error(
        'the cluster profile is not up and healthy: make up-cluster (make test-faults-cluster starts it)',
      );
    opts = {
      ...opts,
      env: {
        KAFKA_BROKERS: env.KAFKA_CLUSTER_BROKERS,
        SPARK_MASTER: env.SPARK_CLUSTER_MASTER,
        ...opts.env,
      },
    };
    log(
      `on the cluster profile: brokers ${opts.env!.KAFKA_BROKERS}, Spark ${opts.env!.SPARK_MASTER}`,
    );
  }
  let run: Run | undefined;
  let supervisor: Supervisor | undefined;
  let failed = true;
  const t0 = Date.now();
  try {
    run = await startAfterGhosts(opts);
    const p = run.pipeline;
    supervisor = new Supervisor(p);
    const stack = new StackControl(p.env);
    // the case's own questions to Kafka, quiet: they fail by design while the broker is down
    const probe = createKafka({
      ...p.connection.kafka,
      clientId: 'citypulse-fault-probe',
      logLevel: 'nothing',
    });
    const dump = join(run.tmp, 'sent.jsonl');
    const faults = Object.entries(LOAD_FAULTS).flatMap(([k, v]) => [
      `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      String(v),
    ]);
    await p.startProducer('sensor-generator', [
      '--streams',
      'traffic',
      '--rate',
      String(load.rate),
      '--interval',
      String(load.intervalSeconds),
      '--start',
      new Date(START).toISOString(),
      '--events',
      String(load.maxEvents),
      '--seed',
      `citypulse-fault-${opts.tag}`,
      '--dump',
      dump,
      ...faults,
    ]);
    const checkpoint = join(p.env.CHECKPOINT_DIR, 'windows_traffic');
    const ctx: FaultContext = {
      run,
      pipeline: p,
      stack,
      supervisor,
      sent: () => generatorSent(p),
      produceMore: async (n, timeoutMs = 300_000) => {
        const gen = p.processes.get('sensor-generator')!;
        const target = (await generatorSent(p)) + n;
        await waitFor(async () => !gen.running || (await generatorSent(p)) >= target, {
          timeoutMs,
          intervalMs: 250,
          what: `the generator to send ${n} more records`,
        });
        if (!gen.running) log(`the generator has sent all its ${load.maxEvents} records`);
      },
      normalizerLag: async () =>
        (await groupLag(probe, p.normalizerGroup('traffic'), TOPICS.trafficRaw)) ?? Infinity,
      addNormalizer: async (name) => {
        const proc = await startNormalizer(p, name);
        supervisor!.adopt(name, proc);
        return proc;
      },
      removeNormalizer: async (name, how) => {
        const proc = p.processes.get(name as ServiceName);
        if (!proc) throw new Error(`no normalizer ${name} in this run`);
        p.processes.delete(name as ServiceName); // out of the supervisor's hands for good
        if (how === 'kill') await proc.kill9();
        else await proc.stop(30_000);
        proc.closeLog();
      },
      normalizerMembers: () => groupMembers(probe, p.normalizerGroup('traffic')),
      sparkCaughtUp: (timeoutMs = 1_800_000) =>
        waitFor(
          async () => {
            const end = await endOffsets(probe, TOPICS.trafficNormalized);
            return end !== undefined && sparkCommitted(checkpoint) >= end;
          },
          { timeoutMs, intervalMs: 1_000, what: "Spark's windows query to catch up" },
        ).then(() => undefined),
      sparkLag: async () => {
        const end = await endOffsets(probe, TOPICS.trafficNormalized);
        return end === undefined ? undefined : Math.max(0, end - sparkCommitted(checkpoint));
      },
      normalized: () => endOffsets(probe, TOPICS.trafficNormalized),
      underReplicated: () => underReplicated(probe),
    };
    const progress = setInterval(() => {
      void (async () => {
        const m = await scrape(`${p.urls.sparkMetrics}/metrics`);
        const batches = [...byLabel(m, 'citypulse_spark_batches_total', 'query')]
          .map(([q, n]) => `${q} ${n}`)
          .join(', ');
        const lag = await groupLag(probe, p.normalizerGroup('traffic'), TOPICS.trafficRaw);
        log(
          `progress: generator sent ${await generatorSent(p)}; normalizer lag ${lag ?? '?'}; ` +
            `spark batches ${batches || '?'}`,
        );
      })().catch(() => undefined);
    }, 10_000);
    try {
      await ctx.produceMore(Math.min(load.rate * 5, load.maxEvents)); // the flow is going
      const tf = Date.now();
      await inject(ctx);
      log(`fault done in ${((Date.now() - tf) / 1000).toFixed(1)} s`);
      await sleep((opts.tailSeconds ?? 10) * 1000);
    } finally {
      clearInterval(progress);
    }
    const gen = p.processes.get('sensor-generator')!;
    if (gen.running) log(`stopping the generator: ${await gen.stop(60_000)}`);
    if (gen.exit?.code !== 0)
      throw new Error(
        `the generator ended with ${JSON.stringify(gen.exit)}; see ${gen.spec.logFile}`,
      );
    // Everything through the normalizer and Spark's windows query before the stores are compared
    // (verifyRun then gives the sink its own few minutes): a slow machine takes long, not wrong.
    let lastLog = 0;
    await waitFor(
      async () => {
        const lag = await groupLag(probe, p.normalizerGroup('traffic'), TOPICS.trafficRaw);
        const normalized = await endOffsets(probe, TOPICS.trafficNormalized);
        const done = sparkCommitted(checkpoint);
        if (Date.now() - lastLog > 30_000) {
          lastLog = Date.now();
          log(
            `draining: normalizer lag ${lag ?? '?'}; Spark's windows query at ${done} of ${normalized ?? '?'}`,
          );
        }
        return lag === 0 && normalized !== undefined && done >= normalized;
      },
      {
        timeoutMs: 1_800_000,
        intervalMs: 2_000,
        what: 'the normalizer and Spark to drain the flow',
      },
    );
    const plan = planFromDump(dump);
    log(
      `the generator sent ${plan.records.length} records; supervisor restarts: ${supervisor.describe()}`,
    );
    try {
      await verifyRun(run, plan, trafficAggregates, t0, { exactLate: false });
    } finally {
      const m = await scrape(`${p.urls.sparkMetrics}/metrics`);
      const late = sum(m, 'citypulse_spark_stream_late_records_dropped_total', {
        stream: 'traffic',
      });
      log(`Spark dropped ${late} traffic readings as late (since its last start)`);
    }
    const report = { plan, restarts: supervisor.restarts, seconds: (Date.now() - t0) / 1000 };
    await after?.(ctx, report);
    log(`case ${opts.tag}: passed in ${report.seconds.toFixed(0)} s`);
    failed = false;
    return report;
  } finally {
    supervisor?.stop();
    await endRun(run, failed);
  }
}
