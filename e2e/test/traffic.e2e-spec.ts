/**
 * The traffic flow end to end on the real stack (`make up`): sensor-generator records (its own
 * library and Kafka sink, fixed seed, bounded) -> traffic.raw -> normalizer -> traffic.normalized
 * -> Spark -> agg topics -> aggregation-sink -> MongoDB + PostgreSQL, and Spark -> gold Parquet.
 * The outputs are compared with an independent computation of the same windows (expected.ts).
 *
 * Determinism of "late": Spark decides lateness per micro-batch against the watermark of the
 * batches before, and the normalizer's partitions can reach Spark in any relative order. So the
 * test sends the sequence in order, in chunks of at most half the guard band of simulated time,
 * each chunk only after the normalizer committed the previous one, and a reading that must be
 * late only after every stateful Spark query's watermark passed it. Then every reading is either
 * surely late or surely on time, and the expected outcome is exact.
 */
import { contractOf, dlqTopic, TOPICS } from '@citypulse/contracts';
import { AvroSerde, KafkaProducer, SchemaRegistryClient } from '@citypulse/kafka';
import { loadCity } from '@citypulse/postgres';
import { generateRecords, type GeneratedRecord } from '@citypulse/sensor-generator';
import { KafkaRecordSink } from '@citypulse/sensor-generator/dist/kafka/kafka-sink';
import { uniqueName, waitFor } from '@citypulse/testing';
import { parquetReadObjects } from 'hyparquet';
import type { Kafka } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  baseEnv,
  committedParquetFiles,
  endOffsetTotal,
  Pipeline,
  scrape,
  SPARK_STATEFUL_QUERIES,
  sum,
} from '../src';
import {
  close,
  mobilityWindows,
  NormalizerModel,
  zoneWindows,
  type Accepted,
  type MobilityWindow,
  type ZoneWindow,
} from './expected';

const EVENTS = 5_000;
const SEED = 'citypulse-e2e';
// 07:00 UTC two days ago (the morning rush): fixed for the day, and recent enough that the
// generator's "far future" readings (400 days ahead) really are in the future for the normalizer.
const START = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000 + 7 * 3_600_000;
const INTERVAL_MS = 30_000;
const WATERMARK_MS = 20 * 60_000;
const GUARD_MS = 10 * 60_000;
const FAULTS = {
  duplicates: 0.02,
  outOfOrder: 0.03,
  late: 0.004,
  malformed: 0.01,
  brokenAvro: 0.004,
  messyIds: 0.03,
};

interface Run {
  pipeline: Pipeline;
  mongoDb: string;
  pgSchema: string;
  tmp: string;
}

const env = baseEnv();
const log = (m: string) => process.stdout.write(`[e2e] ${m}\n`);

function pgUrl(schema?: string): string {
  const url = new URL(env.POSTGRES_URL);
  if (schema) url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

async function startRun(tag: string): Promise<Run> {
  const id = uniqueName(tag).replace(/-/g, '_');
  const tmp = mkdtempSync(join(tmpdir(), `citypulse-${tag}-`));
  const pgSchema = `e2e_${id}`;
  const pg = new Client({ connectionString: pgUrl() });
  await pg.connect();
  await pg.query(`CREATE SCHEMA ${pgSchema}`);
  await pg.end();
  const mongoDb = `citypulse_e2e_${id}`.slice(0, 60);
  const pipeline = await Pipeline.start({
    runDir: join(tmp, 'logs'),
    env: {
      MONGO_DB: mongoDb,
      LAKE_DIR: join(tmp, 'lake'),
      CHECKPOINT_DIR: join(tmp, 'checkpoints'),
      NORMALIZER_GROUP_ID: `normalizer-${id}`,
      AGGREGATION_SINK_GROUP_ID: `aggregation-sink-${id}`,
      POSTGRES_URL: pgUrl(pgSchema),
    },
    sparkArgs: ['--watermark', `${WATERMARK_MS / 60_000} minutes`, '--trigger', '2 seconds'],
    freshTopics: true,
    readyTimeoutMs: 240_000,
    log,
  });
  return { pipeline, mongoDb, pgSchema, tmp };
}

async function endRun(run: Run | undefined, keep: boolean): Promise<void> {
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

async function sparkWatermarksAtLeast(p: Pipeline, ms: number): Promise<boolean> {
  const m = await scrape(`${p.urls.sparkMetrics}/metrics`);
  return SPARK_STATEFUL_QUERIES.every(
    (q) =>
      Math.round(sum(m, 'citypulse_spark_watermark_timestamp_seconds', { query: q }) * 1000) >= ms,
  );
}

interface Plan {
  records: GeneratedRecord[];
  accepted: Accepted[]; // in send order, late ones included
  late: Set<string>; // event ids Spark must drop as late
  rejected: GeneratedRecord[];
}

/**
 * Sends the sequence through the generator's Kafka sink in watermark-safe chunks (see the top),
 * deciding with the independent model which readings are late. `midway` runs once, halfway.
 */
async function sendSequence(run: Run, midway?: () => Promise<void>): Promise<Plan> {
  const p = run.pipeline;
  const city = loadCity();
  const records = [
    ...generateRecords(
      { seed: SEED, city, startTime: START, intervalMs: INTERVAL_MS, faults: FAULTS },
      EVENTS,
    ),
  ];
  const model = new NormalizerModel(city, Date.now());
  const producer = new KafkaProducer({
    kafka: p.kafka,
    serde: new AvroSerde(new SchemaRegistryClient({ url: env.SCHEMA_REGISTRY_URL })),
  });
  await producer.connect();
  const sink = new KafkaRecordSink(
    producer,
    await producer.topic(TOPICS.trafficRaw, { schema: contractOf('trafficRaw').schema }),
  );
  const group = p.env.NORMALIZER_GROUP_ID;
  const plan: Plan = { records, accepted: [], late: new Set(), rejected: [] };
  let chunk: GeneratedRecord[] = [];
  let maxAccepted = -Infinity;
  let chunkBase = -Infinity;
  let midwayDone = !midway;
  const flush = async () => {
    if (chunk.length > 0) {
      await sink.send(chunk);
      if (!midwayDone && plan.accepted.length >= EVENTS / 2) {
        midwayDone = true;
        await midway!();
      }
      await waitFor(() => committedAll(p.kafka, group, TOPICS.trafficRaw), {
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
      const v = model.judge(r);
      if (v.kind === 'rejected') plan.rejected.push(r);
      if (v.kind === 'accepted') {
        const t = v.reading.eventTime;
        plan.accepted.push(v.reading);
        if (t <= maxAccepted - WATERMARK_MS) {
          // must be dropped as late: send it only once every stateful query's watermark passed it
          await flush();
          plan.late.add(v.reading.eventId);
          await waitFor(() => sparkWatermarksAtLeast(p, t), {
            timeoutMs: 300_000,
            intervalMs: 250,
            what: `Spark's watermarks to pass ${new Date(t).toISOString()}`,
          });
        } else if (t <= maxAccepted - WATERMARK_MS + GUARD_MS) {
          // close to the watermark: on its own, before anything newer can reach Spark
          await flush();
          chunk.push(r);
          await flush();
          continue;
        }
        maxAccepted = Math.max(maxAccepted, t);
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

interface Outcome {
  zones: ZoneWindow[];
  finalZones: ZoneWindow[];
  mobility: MobilityWindow[];
  finalMobility: MobilityWindow[];
  late: number;
}

function expectedOutcome(plan: Plan): Outcome {
  const onTime = plan.accepted.filter((a) => !plan.late.has(a.eventId) || false);
  // a late reading's event id is dropped only in its late copy; no on-time copy exists (dedup)
  const watermark = Math.max(...plan.accepted.map((a) => a.eventTime)) - WATERMARK_MS;
  const zones = zoneWindows(onTime);
  const mobility = mobilityWindows(onTime);
  return {
    zones,
    finalZones: zones.filter((w) => w.windowEnd <= watermark),
    mobility,
    finalMobility: mobility.filter((w) => w.windowEnd <= watermark),
    late: plan.late.size,
  };
}

const key = (zone: string, start: number) => `${zone}|${start}`;
const toMs = (v: unknown) => (v instanceof Date ? v.getTime() : Number(v));

function compareZones(
  what: string,
  actual: Array<Record<string, unknown>>,
  expected: ZoneWindow[],
): void {
  const byKey = new Map(actual.map((a) => [key(String(a.zone_id), toMs(a.window_start)), a]));
  expect({ what, windows: byKey.size }).toEqual({ what, windows: expected.length });
  const problems: string[] = [];
  for (const e of expected) {
    const a = byKey.get(key(e.zoneId, e.windowStart));
    if (!a) {
      problems.push(`${what}: missing ${e.zoneId} ${new Date(e.windowStart).toISOString()}`);
      continue;
    }
    const exact: Array<[string, number]> = [
      ['readings', e.readings],
      ['total_vehicle_flow', e.totalVehicleFlow],
      ['window_end', e.windowEnd],
    ];
    for (const [f, v] of exact) {
      const got = f === 'window_end' ? toMs(a[f]) : Number(a[f]);
      if (got !== v) problems.push(`${what} ${e.zoneId}@${e.windowStart} ${f}: ${got} != ${v}`);
    }
    const floats: Array<[string, number]> = [
      ['avg_speed_kmh', e.avgSpeedKmh],
      ['min_speed_kmh', e.minSpeedKmh],
      ['max_speed_kmh', e.maxSpeedKmh],
      ['avg_occupancy_pct', e.avgOccupancyPct],
      ['congestion_score', e.congestionScore],
    ];
    for (const [f, v] of floats) {
      if (!close(Number(a[f]), v))
        problems.push(`${what} ${e.zoneId}@${e.windowStart} ${f}: ${Number(a[f])} != ${v}`);
    }
  }
  expect(problems.slice(0, 20)).toEqual([]);
}

function compareMobility(
  what: string,
  actual: Array<Record<string, unknown>>,
  expected: MobilityWindow[],
): void {
  const byStart = new Map(actual.map((a) => [toMs(a.window_start), a]));
  expect({ what, windows: byStart.size }).toEqual({ what, windows: expected.length });
  const problems: string[] = [];
  for (const e of expected) {
    const a = byStart.get(e.windowStart);
    if (!a) {
      problems.push(`${what}: missing ${new Date(e.windowStart).toISOString()}`);
      continue;
    }
    if (
      Number(a.readings) !== e.readings ||
      Number(a.zones) !== e.zones ||
      a.category !== e.category
    ) {
      problems.push(
        `${what} ${e.windowStart}: readings/zones/category ${String(a.readings)}/${String(a.zones)}/${String(a.category)} != ${e.readings}/${e.zones}/${e.category}`,
      );
    }
    for (const [f, v] of [
      ['avg_speed_kmh', e.avgSpeedKmh],
      ['avg_occupancy_pct', e.avgOccupancyPct],
      ['mobility_index', e.mobilityIndex],
    ] as const) {
      if (!close(Number(a[f]), v))
        problems.push(`${what} ${e.windowStart} ${f}: ${Number(a[f])} != ${v}`);
    }
  }
  expect(problems.slice(0, 20)).toEqual([]);
}

async function readGold(lake: string, table: string): Promise<Array<Record<string, unknown>>> {
  const rows: Array<Record<string, unknown>> = [];
  for (const f of committedParquetFiles(join(lake, 'gold', table))) {
    rows.push(
      ...((await parquetReadObjects({ file: arrayBuffer(f) })) as Array<Record<string, unknown>>),
    );
  }
  return rows;
}

function arrayBuffer(path: string): ArrayBuffer {
  const b = readFileSync(path);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
}

/** Every record the DLQ of traffic.raw holds: event ids of Avro readings, base64 of other bytes. */
async function readDlq(kafka: Kafka, expected: number): Promise<string[]> {
  const type = contractOf('trafficRaw').type;
  const out: string[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('e2e-dlq-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic: dlqTopic(TOPICS.trafficRaw), fromBeginning: true });
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

async function verify(
  run: Run,
  plan: Plan,
  t0: number,
  opts: { exactLate: boolean },
): Promise<void> {
  const p = run.pipeline;
  const want = expectedOutcome(plan);
  log(
    `sent ${plan.records.length} records: ${plan.accepted.length} valid, ${plan.late.size} late, ` +
      `${plan.rejected.length} rejects; expecting ${want.zones.length} zone windows ` +
      `(${want.finalZones.length} final) and ${want.mobility.length} index windows (${want.finalMobility.length} final)`,
  );

  // MongoDB: every window at its final value (the sink keeps the newest update).
  const mongo = new MongoClient(env.MONGO_URL);
  await mongo.connect();
  let docs: Array<Record<string, unknown>> = [];
  let mob: Array<Record<string, unknown>> = [];
  const readingsOk = (rows: Array<Record<string, unknown>>, exp: Array<{ readings: number }>) =>
    rows.length === exp.length &&
    rows.reduce((n, r) => n + Number(r.readings), 0) === exp.reduce((n, e) => n + e.readings, 0);
  try {
    await waitFor(
      async () => {
        docs = await mongo.db(run.mongoDb).collection('traffic_aggregations').find().toArray();
        mob = await mongo.db(run.mongoDb).collection('mobility_index').find().toArray();
        return readingsOk(docs, want.zones) && readingsOk(mob, want.mobility);
      },
      { timeoutMs: 300_000, intervalMs: 1_000, what: 'MongoDB to hold every expected window' },
    ).catch(() => undefined); // the comparison below says what differs
  } finally {
    await mongo.close();
  }
  // Gold: the windows the final watermark closed, each once.
  let gold: Array<Record<string, unknown>> = [];
  let goldMob: Array<Record<string, unknown>> = [];
  await waitFor(
    async () => {
      gold = await readGold(p.lakeDir, 'traffic_zone_5m');
      goldMob = await readGold(p.lakeDir, 'mobility_index_5m');
      return gold.length >= want.finalZones.length && goldMob.length >= want.finalMobility.length;
    },
    { timeoutMs: 300_000, intervalMs: 1_000, what: 'gold Parquet to hold every closed window' },
  ).catch(() => undefined);
  const seconds = (Date.now() - t0) / 1000;
  log(
    `flow done in ${seconds.toFixed(1)} s: ${(plan.records.length / seconds).toFixed(0)} events/s end to end`,
  );

  compareZones('mongodb traffic_aggregations', docs, want.zones);
  compareMobility('mongodb mobility_index', mob, want.mobility);
  compareZones('gold traffic_zone_5m', gold, want.finalZones);
  compareMobility('gold mobility_index_5m', goldMob, want.finalMobility);

  // PostgreSQL (the run's own schema): the same windows.
  const pg = new Client({ connectionString: pgUrl(run.pgSchema) });
  await pg.connect();
  try {
    const rows = (await pg.query('SELECT * FROM traffic_window_aggregates')).rows as Array<
      Record<string, unknown>
    >;
    compareZones('postgres traffic_window_aggregates', rows, want.zones);
    const mrows = (await pg.query('SELECT * FROM mobility_index')).rows as Array<
      Record<string, unknown>
    >;
    compareMobility('postgres mobility_index', mrows, want.mobility);
  } finally {
    await pg.end();
  }

  // Late readings counted by Spark (one stateful query's series; each counts the same readings).
  const m = await scrape(`${p.urls.sparkMetrics}/metrics`);
  const late = sum(m, 'citypulse_spark_late_records_dropped_total', {
    query: 'gold_traffic_zone_5m',
  });
  if (opts.exactLate) expect(late).toBe(want.late);
  else expect(late).toBeGreaterThanOrEqual(want.late);

  // Every reject in the DLQ: Avro readings by event id, broken bytes by their bytes.
  const dlq = await readDlq(p.kafka, plan.rejected.length);
  const expectedDlq = plan.rejected.map((r) =>
    r.kind === 'bytes' ? `bytes:${r.bytes.toString('base64')}` : `id:${r.value.event_id}`,
  );
  if (opts.exactLate) expect([...dlq].sort()).toEqual([...expectedDlq].sort());
  else expect(new Set(dlq)).toEqual(new Set(expectedDlq)); // a redelivered reject may be there twice
  const bad = (r: GeneratedRecord) =>
    (r.faults as string[]).some((f) => f === 'malformed' || f === 'broken_avro');
  expect(plan.rejected.filter(bad).length).toBe(plan.records.filter(bad).length);
  const normalized = await endOffsetTotal(p.kafka, TOPICS.trafficNormalized);
  log(
    `traffic.normalized holds ${normalized} records for ${plan.accepted.length} valid readings ` +
      `(${normalized - plan.accepted.length} redelivered)`,
  );
  expect(p.crashed()).toEqual([]);
}

describe('traffic flow end to end', () => {
  let run: Run | undefined;
  let failed = false;

  afterEach(async () => {
    await endRun(run, failed);
    run = undefined;
  });

  it('turns a faulty deterministic sequence into exactly the expected windows, DLQ and late count', async () => {
    failed = true;
    run = await startRun('e2e');
    const t0 = Date.now();
    const plan = await sendSequence(run);
    await verify(run, plan, t0, { exactLate: true });
    failed = false;
  });

  it('stays exact when the normalizer is killed with SIGKILL mid-run and restarted', async () => {
    failed = true;
    run = await startRun('e2e-kill');
    const p = run.pipeline;
    const t0 = Date.now();
    const plan = await sendSequence(run, async () => {
      // The chunk just sent is in flight: kill the normalizer as soon as its first output is
      // acknowledged, before it commits, so the restarted one handles part of the chunk again.
      const admin = p.kafka.admin();
      await admin.connect();
      const out = async () =>
        (await admin.fetchTopicOffsets(TOPICS.trafficNormalized)).reduce(
          (n, o) => n + Number(o.high),
          0,
        );
      const before = await out();
      await waitFor(async () => (await out()) > before, { timeoutMs: 10_000, intervalMs: 1 }).catch(
        () => undefined,
      );
      await admin.disconnect();
      await p.kill9('normalizer');
      log('normalizer killed with SIGKILL; restarting it');
      await p.restart('normalizer');
    });
    expect(p.processes.get('normalizer')?.starts).toBe(2);
    await verify(run, plan, t0, { exactLate: false });
    failed = false;
  });
});
