/**
 * What every end-to-end spec shares: a run of its own (database, schema, lake, groups), sending a
 * deterministic record sequence so that "late" is exact, reading the stores, gold Parquet and
 * the DLQ back, and comparing windows with an independent computation.
 *
 * Determinism of "late": Spark decides lateness per micro-batch against the watermark of the
 * batches before, and the normalizer's partitions can reach Spark in any relative order. So the
 * sequence is sent in order, in chunks of at most half the guard band of simulated time, each
 * chunk only after the normalizer committed the previous one, and a record that must be late
 * only after every stateful Spark query of its stream has its watermark past it. Then every
 * record is either surely late or surely on time, and the expected outcome is exact.
 */
import { contractOf, dlqTopic, TOPICS } from '@citypulse/contracts';
import { AvroSerde, KafkaProducer, SchemaRegistryClient } from '@citypulse/kafka';
import { loadCity } from '@citypulse/postgres';
import { generateCityRecords, type CityGenerationOptions } from '@citypulse/sensor-generator';
import { KafkaRecordSink } from '@citypulse/sensor-generator/dist/kafka/kafka-sink';
import { uniqueName, waitFor } from '@citypulse/testing';
import { parquetReadObjects } from 'hyparquet';
import { Partitioners, type Kafka } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  baseEnv,
  byLabel,
  committedParquetFiles,
  endOffsetTotal,
  Pipeline,
  scrape,
  STREAM_SPECS,
  sum,
  type FlowStream,
} from '../src';
import { close } from './expected';

/** The job's watermark here; the producers hold "late" records back 30 minutes, past it. */
export const WATERMARK_MS = 20 * 60_000;
/** Around the watermark, records go one at a time (see the top). */
export const GUARD_MS = 10 * 60_000;

/** 07:00 UTC two days ago (a morning rush): fixed for the day, and recent enough that the
 * producers' "far future" records (400 days ahead) really are in the future for the normalizer. */
export const START =
  Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000 + 7 * 3_600_000;

export const env = baseEnv();
export const log = (m: string) => process.stdout.write(`[e2e] ${m}\n`);

/** A record as the producers send it (libs/simulation's SimRecord, any stream). */
export type SentRecord =
  | {
      kind: 'reading';
      value: { event_id: string; event_time: number };
      key: string;
      faults: readonly string[];
    }
  | { kind: 'bytes'; bytes: Buffer; key: string; faults: readonly string[] };

/** What the independent model of the normalizer makes of a record. */
export type Verdict<A> =
  { kind: 'accepted'; reading: A } | { kind: 'duplicate' } | { kind: 'rejected'; reason: string };

/** The fields every accepted record has for the harness. */
export interface Timed {
  eventId: string;
  eventTime: number;
  /** the normalized record's Kafka key: its partition has a watermark of its own in Spark */
  key: string;
}

/**
 * Spark's watermark base as the windows query keeps it: one watermark per partition of the
 * normalized topic, the query's the smallest (spark/README.md). Each record's partition is the one
 * Kafka's default partitioner gives its key (murmur2, as the normalizer's producer uses); a
 * partition that has had no record holds the query's watermark at the start.
 */
export class PartitionClock {
  private readonly newest: number[];
  private readonly partitionOf: (key: string) => number;

  constructor(stream: FlowStream) {
    const { topic, partitions } = contractOf(STREAM_SPECS[stream].normalized);
    const metadata = Array.from({ length: partitions }, (_, i) => ({
      partitionId: i,
      leader: 0,
      replicas: [0],
      isr: [0],
      partitionErrorCode: 0,
    }));
    const partitioner = Partitioners.DefaultPartitioner();
    this.partitionOf = (key) =>
      partitioner({ topic, partitionMetadata: metadata, message: { key, value: null } });
    this.newest = new Array<number>(partitions).fill(-Infinity);
  }

  observe(a: Timed): void {
    const p = this.partitionOf(a.key);
    this.newest[p] = Math.max(this.newest[p], a.eventTime);
  }

  /** The smallest partition's newest event time: the watermark is this minus the delay. */
  get base(): number {
    return Math.min(...this.newest);
  }
}

export interface Run {
  pipeline: Pipeline;
  stream: FlowStream;
  /** the Spark job's watermark delay in this run */
  watermarkMs: number;
  mongoDb: string;
  pgSchema: string;
  tmp: string;
}

export function pgUrl(schema?: string): string {
  const url = new URL(env.POSTGRES_URL);
  if (schema) url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/** What a run may change of the defaults (the fault suite's runs). */
export interface RunOptions {
  /** the Spark job's watermark delay (default WATERMARK_MS) */
  watermarkMs?: number;
  /** more arguments of the Spark job (--max-offsets-per-trigger...) */
  sparkArgs?: string[];
  /** over the run's environment for every service */
  env?: Record<string, string>;
}

/** One stream's pipeline with a MongoDB database, PostgreSQL schema, lake and groups of its own. */
export async function startRun(
  tag: string,
  stream: FlowStream,
  opts: RunOptions = {},
): Promise<Run> {
  const watermarkMs = opts.watermarkMs ?? WATERMARK_MS;
  const id = uniqueName(tag).replace(/-/g, '_');
  const tmp = mkdtempSync(join(tmpdir(), `citypulse-${tag}-`));
  const pgSchema = `e2e_${id}`;
  const pg = new Client({ connectionString: pgUrl() });
  await pg.connect();
  await pg.query(`CREATE SCHEMA ${pgSchema}`);
  await pg.end();
  const mongoDb = `citypulse_e2e_${id}`.slice(0, 60);
  const pipeline = await Pipeline.start({
    streams: [stream],
    runDir: join(tmp, 'logs'),
    env: {
      MONGO_DB: mongoDb,
      LAKE_DIR: join(tmp, 'lake'),
      CHECKPOINT_DIR: join(tmp, 'checkpoints'),
      POSTGRES_URL: pgUrl(pgSchema),
      ...opts.env,
    },
    groupTag: id,
    sparkArgs: [
      '--watermark',
      `${watermarkMs / 1000} seconds`,
      '--trigger',
      '2 seconds',
      ...(opts.sparkArgs ?? []),
    ],
    freshTopics: true,
    readyTimeoutMs: 240_000,
    log,
  });
  return { pipeline, stream, watermarkMs, mongoDb, pgSchema, tmp };
}

export async function endRun(run: Run | undefined, keep: boolean): Promise<void> {
  if (!run) return;
  await run.pipeline.stop();
  const mongo = new MongoClient(env.MONGO_URL);
  await mongo.connect();
  await mongo
    .db(run.mongoDb)
    .dropDatabase()
    .catch(() => undefined);
  await mongo.close();
  const pg = new Client({ connectionString: pgUrl() });
  await pg.connect();
  await pg.query(`DROP SCHEMA IF EXISTS ${run.pgSchema} CASCADE`);
  await pg.end();
  if (keep) log(`kept logs and lake in ${run.tmp}`);
  else rmSync(run.tmp, { recursive: true, force: true });
}

async function committedAll(kafka: Kafka, groupId: string, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const byPart = new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)]));
    return ends.every((e) => Number(e.high) === 0 || byPart.get(e.partition) === Number(e.high));
  } finally {
    await admin.disconnect();
  }
}

export interface Plan<R extends SentRecord, A extends Timed> {
  records: R[];
  accepted: A[]; // in send order, late ones included
  late: Set<string>; // event ids Spark must drop as late
  rejected: R[];
  /** the model's reason per rejected Avro value, counted (bytes that are not Avro left out) */
  reasons: Map<string, number>;
}

/**
 * Sends the sequence to the stream's raw topic through the producers' own Kafka sink in
 * watermark-safe chunks (see the top), deciding with the independent model which records are
 * accepted, rejected and late. `midway` runs once, when half the records were accepted.
 */
export async function sendSequence<R extends SentRecord, A extends Timed>(
  run: Run,
  records: R[],
  judge: (r: R) => Verdict<A>,
  midway?: () => Promise<void>,
): Promise<Plan<R, A>> {
  const p = run.pipeline;
  const raw = STREAM_SPECS[run.stream].raw;
  const producer = new KafkaProducer({
    kafka: p.kafka,
    serde: new AvroSerde(new SchemaRegistryClient(p.connection.registry)),
  });
  await producer.connect();
  const sink = new KafkaRecordSink(
    producer,
    await producer.topic(TOPICS[raw], { schema: contractOf(raw).schema }),
  );
  const group = p.normalizerGroup(run.stream);
  const plan: Plan<R, A> = {
    records,
    accepted: [],
    late: new Set(),
    rejected: [],
    reasons: new Map(),
  };
  const half = records.length / 2;
  let chunk: R[] = [];
  let maxAccepted = -Infinity;
  let chunkBase = -Infinity;
  const clock = new PartitionClock(run.stream);
  let midwayDone = !midway;
  const flush = async () => {
    if (chunk.length > 0) {
      // the sink's record type is the generator's; every producer's records have its shape
      await sink.send(chunk as unknown as Parameters<typeof sink.send>[0]);
      if (!midwayDone && plan.accepted.length >= half) {
        midwayDone = true;
        await midway!();
      }
      await waitFor(() => committedAll(p.kafka, group, TOPICS[raw]), {
        timeoutMs: 120_000,
        intervalMs: 100,
        what: 'the normalizer to commit the chunk',
      });
    }
    chunk = [];
    chunkBase = maxAccepted;
  };
  try {
    for (const r of records) {
      const v = judge(r);
      if (v.kind === 'rejected') {
        plan.rejected.push(r);
        if (r.kind === 'reading') plan.reasons.set(v.reason, (plan.reasons.get(v.reason) ?? 0) + 1);
      }
      if (v.kind === 'accepted') {
        const t = v.reading.eventTime;
        plan.accepted.push(v.reading);
        if (t <= clock.base - WATERMARK_MS) {
          // must be dropped as late: send it only once every stateful query's watermark passed it
          await flush();
          plan.late.add(v.reading.eventId);
          await waitFor(() => p.watermarkPassed(run.stream, t), {
            timeoutMs: 300_000,
            intervalMs: 250,
            what: `Spark's watermarks of ${run.stream} to pass ${new Date(t).toISOString()}`,
          });
        } else if (t <= clock.base - WATERMARK_MS + GUARD_MS) {
          // close to the watermark: on its own, before anything newer can reach Spark
          await flush();
          chunk.push(r);
          clock.observe(v.reading);
          await flush();
          continue;
        }
        maxAccepted = Math.max(maxAccepted, t);
        clock.observe(v.reading);
      }
      chunk.push(r);
      if (maxAccepted - chunkBase >= GUARD_MS / 2) await flush();
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  return plan;
}

/** An expected window of any aggregate: its series key, bounds, exact and float figures. */
export interface ExpectedWindow {
  /** the series fields besides the window, e.g. { zone_id: 'Z01', severity: 'HIGH' } */
  keys: Record<string, string>;
  windowStart: number;
  windowEnd: number;
  /** compared exactly: counts, names, categories */
  exact: Record<string, number | string>;
  /** compared within 1e-6 relative: averages and scores computed in another order */
  floats: Record<string, number>;
}

type Row = Record<string, unknown>;
const toMs = (v: unknown) => (v instanceof Date ? v.getTime() : Number(v));
const rowKey = (keys: readonly string[], r: Row, start: number) =>
  JSON.stringify([...keys.map((k) => String(r[k])), start]);

/** Every difference between stored rows and the expected windows (empty when they are equal). */
export function windowProblems(what: string, actual: Row[], expected: ExpectedWindow[]): string[] {
  const keys = Object.keys(expected[0]?.keys ?? {});
  const byKey = new Map(actual.map((a) => [rowKey(keys, a, toMs(a.window_start)), a]));
  const problems: string[] = [];
  if (byKey.size !== expected.length || actual.length !== expected.length)
    problems.push(
      `${what}: ${actual.length} rows (${byKey.size} keys), expected ${expected.length}`,
    );
  for (const e of expected) {
    const name = `${what} ${JSON.stringify(e.keys)}@${new Date(e.windowStart).toISOString()}`;
    const a = byKey.get(rowKey(keys, e.keys, e.windowStart));
    if (!a) {
      problems.push(`${name}: missing`);
      continue;
    }
    if (toMs(a.window_end) !== e.windowEnd)
      problems.push(`${name} window_end: ${toMs(a.window_end)} != ${e.windowEnd}`);
    for (const [f, v] of Object.entries(e.exact)) {
      const got = typeof v === 'number' ? Number(a[f]) : String(a[f]);
      if (got !== v) problems.push(`${name} ${f}: ${String(a[f])} != ${v}`);
    }
    for (const [f, v] of Object.entries(e.floats)) {
      if (!close(Number(a[f]), v)) problems.push(`${name} ${f}: ${Number(a[f])} != ${v}`);
    }
  }
  return problems;
}

export async function readGold(lake: string, table: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const f of committedParquetFiles(join(lake, 'gold', table))) {
    const b = readFileSync(f);
    const file = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    rows.push(...((await parquetReadObjects({ file })) as Row[]));
  }
  return rows;
}

/** Every record the DLQ of the stream's raw topic holds: event ids of Avro values, base64 of other bytes. */
async function readDlq(kafka: Kafka, stream: FlowStream, expected: number): Promise<string[]> {
  const raw = STREAM_SPECS[stream].raw;
  const type = contractOf(raw).type;
  const out: string[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('e2e-dlq-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic: dlqTopic(TOPICS[raw]), fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const v = message.value ?? Buffer.alloc(0);
      let id: string | undefined;
      try {
        if (v[0] === 0) id = (type.fromBuffer(v.subarray(5)) as { event_id: string }).event_id;
      } catch {
        id = undefined;
      }
      out.push(id !== undefined ? `id:${id}` : `bytes:${v.toString('base64')}`);
      return Promise.resolve();
    },
  });
  try {
    await waitFor(() => out.length >= expected, {
      timeoutMs: 120_000,
      what: `${expected} records in the DLQ`,
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** The expected windows of one aggregate, and how it is stored. */
export interface ExpectedAggregate {
  /** the Spark aggregate (gold table) */
  spark: string;
  windows: ExpectedWindow[];
}

/**
 * Checks a run against the independent computation: every aggregate of the stream in MongoDB and
 * PostgreSQL (every window, at its final value) and in gold Parquet (exactly the windows the final
 * watermark closed); Spark's late count of the stream; every reject in the DLQ.
 * `expected` gets the accepted records Spark must count (late ones left out).
 */
export async function verifyRun<R extends SentRecord, A extends Timed>(
  run: Run,
  plan: Plan<R, A>,
  expected: (onTime: A[]) => ExpectedAggregate[],
  t0: number,
  opts: { exactLate: boolean },
): Promise<void> {
  const p = run.pipeline;
  const spec = STREAM_SPECS[run.stream];
  const onTime = plan.accepted.filter((a) => !plan.late.has(a.eventId));
  // a late record's event id is dropped only in its late copy; no on-time copy exists (dedup)
  const clock = new PartitionClock(run.stream);
  for (const a of plan.accepted) clock.observe(a);
  const watermark = clock.base - run.watermarkMs;
  const want = expected(onTime).map((e) => ({
    ...e,
    stored: spec.aggregates.find((a) => a.spark === e.spark)!,
    final: e.windows.filter((w) => w.windowEnd <= watermark),
  }));
  log(
    `${run.stream}: sent ${plan.records.length} records: ${plan.accepted.length} valid, ${plan.late.size} late, ` +
      `${plan.rejected.length} rejects; expecting ` +
      want
        .map((w) => `${w.windows.length} ${w.spark} windows (${w.final.length} final)`)
        .join(', '),
  );
  expect(want.map((w) => w.spark).sort()).toEqual(spec.aggregates.map((a) => a.spark).sort());

  // MongoDB and gold: wait until they hold every window at its final value (or time out: the
  // comparison below then says what differs).
  const mongo = new MongoClient(env.MONGO_URL);
  await mongo.connect();
  const docs = new Map<string, Row[]>();
  const gold = new Map<string, Row[]>();
  const problems = () =>
    want.flatMap((w) => [
      ...windowProblems(`mongodb ${w.stored.collection}`, docs.get(w.spark) ?? [], w.windows),
      ...windowProblems(`gold ${w.spark}`, gold.get(w.spark) ?? [], w.final),
    ]);
  try {
    await waitFor(
      async () => {
        for (const w of want) {
          docs.set(
            w.spark,
            await mongo.db(run.mongoDb).collection(w.stored.collection).find().toArray(),
          );
          gold.set(w.spark, await readGold(p.lakeDir, w.spark));
        }
        return problems().length === 0;
      },
      {
        timeoutMs: 300_000,
        intervalMs: 1_000,
        what: 'MongoDB and gold to hold every expected window',
      },
    ).catch(() => undefined);
  } finally {
    await mongo.close();
  }
  const seconds = (Date.now() - t0) / 1000;
  log(
    `flow done in ${seconds.toFixed(1)} s: ${(plan.records.length / seconds).toFixed(0)} records/s end to end`,
  );
  expect(problems().slice(0, 20)).toEqual([]);
  for (const w of want)
    expect({ gold: w.spark, rows: w.final.length > 0 }).toEqual({ gold: w.spark, rows: true });

  // PostgreSQL (the run's own schema): the same windows as MongoDB.
  const pg = new Client({ connectionString: pgUrl(run.pgSchema) });
  await pg.connect();
  try {
    for (const w of want) {
      const rows = (await pg.query(`SELECT * FROM ${w.stored.table}`)).rows as Row[];
      expect(windowProblems(`postgres ${w.stored.table}`, rows, w.windows).slice(0, 20)).toEqual(
        [],
      );
    }
  } finally {
    await pg.end();
  }

  // Late records counted by Spark, once per stream. The count comes from the query's progress
  // event, posted after the batch committed: the last late records' batch may have written
  // everything the stores show while its progress is still on the way, so wait for it (a clean
  // clone's run once read 4 of 6 here; the checkpoint showed all 6 dropped).
  const lateNow = async () =>
    sum(
      await scrape(`${p.urls.sparkMetrics}/metrics`),
      'citypulse_spark_stream_late_records_dropped_total',
      {
        stream: run.stream,
      },
    );
  await waitFor(async () => (await lateNow()) >= plan.late.size, {
    timeoutMs: 60_000,
    intervalMs: 500,
    what: `Spark to report ${plan.late.size} late records of ${run.stream}`,
  }).catch(() => undefined);
  const late = await lateNow();
  if (opts.exactLate) expect(late).toBe(plan.late.size);
  else expect(late).toBeGreaterThanOrEqual(plan.late.size);

  // The normalizer's rejects by reason (a restarted one counts from 0 again: exact runs only).
  if (opts.exactLate) {
    const norm = await scrape(`${p.urls.normalizerMetrics[run.stream]}/metrics`);
    const reasons = [...byLabel(norm, 'citypulse_normalizer_records_rejected_total', 'reason')];
    expect(reasons.filter(([, n]) => n > 0).sort()).toEqual([...plan.reasons].sort());
  }

  // Every reject in the DLQ: Avro values by event id, broken bytes by their bytes.
  const dlq = await readDlq(p.kafka, run.stream, plan.rejected.length);
  const expectedDlq = plan.rejected.map((r) =>
    r.kind === 'bytes' ? `bytes:${r.bytes.toString('base64')}` : `id:${r.value.event_id}`,
  );
  if (opts.exactLate) expect([...dlq].sort()).toEqual([...expectedDlq].sort());
  else expect(new Set(dlq)).toEqual(new Set(expectedDlq)); // a redelivered reject may be there twice
  const bad = (r: SentRecord) => r.faults.some((f) => f === 'malformed' || f === 'broken_avro');
  expect(plan.rejected.filter(bad).length).toBe(plan.records.filter(bad).length);
  const normalized = await endOffsetTotal(p.kafka, TOPICS[spec.normalized]);
  log(
    `${TOPICS[spec.normalized]} holds ${normalized} records for ${plan.accepted.length} valid ones ` +
      `(${normalized - plan.accepted.length} redelivered)`,
  );
  expect(p.crashed()).toEqual([]);
}

/** Faults of every new stream's dataset: each kind several times in a few thousand records. */
export const FAULTS = {
  duplicates: 0.02,
  outOfOrder: 0.03,
  late: 0.005,
  malformed: 0.02,
  brokenAvro: 0.008,
  messyIds: 0.05,
};

/** `count` records of one of the sensor-generator's streams, from its own library (FAULTS, START). */
export function generatorRecords(
  stream: 'transport' | 'incidents',
  count: number,
  options: Partial<CityGenerationOptions> = {},
) {
  const city = loadCity();
  const base = { seed: `citypulse-e2e-${stream}`, city, startTime: START, intervalMs: 120_000 };
  return [
    ...generateCityRecords({ ...base, faults: FAULTS, streams: [stream], ...options }, count),
  ];
}

/** A spec file's single case: a run of one stream, kept (logs, lake) when it failed. */
export function streamCase<R extends SentRecord, A extends Timed>(c: {
  stream: FlowStream;
  title: string;
  records: () => R[];
  judge: () => (r: R) => Verdict<A>;
  expected: (onTime: A[]) => ExpectedAggregate[];
}): void {
  describe(`${c.stream} flow end to end`, () => {
    let run: Run | undefined;
    let failed = false;
    afterEach(async () => {
      await endRun(run, failed);
      run = undefined;
    });
    it(c.title, async () => {
      failed = true;
      run = await startRun(`e2e-${c.stream}`, c.stream);
      const t0 = Date.now();
      const plan = await sendSequence(run, c.records(), c.judge());
      await verifyRun(run, plan, c.expected, t0, { exactLate: true });
      failed = false;
    });
  });
}
