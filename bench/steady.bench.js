#!/usr/bin/env node
/**
 * The flow at a steady rate (`BENCH_ONLY=steady make bench`): freshness of the aggregates and the
 * memory of every process, at rest and under load.
 *
 * The flow runs as `make demo` and the e2e tests start it (e2e's Pipeline: a normalizer per
 * stream, the Spark job with those streams' aggregates at its production trigger and watermark,
 * the aggregation-sink, apps/alerting), on the flow's topics recreated empty, with a MongoDB
 * database, PostgreSQL schema, lake, checkpoints and consumer groups of this run. The streams are
 * BENCH_STEADY_STREAMS: traffic (the one loaded and measured) by default; every stream adds its
 * normalizer and three Spark queries, which on the 2-core machine the job does not keep up with.
 *
 * 1. At rest: once every service is ready, the Spark job's traffic windows query has run its
 *    first (empty) batch and everything has idled BENCH_REST_SECONDS (20): the resident memory of
 *    every process — the stack's services (Kafka, the registry, FerretDB, PostgreSQL,
 *    Prometheus), each Node service, the Spark job (its Python driver and JVM) — sampled every
 *    2 s for 10 s.
 * 2. Under load: raw traffic readings of the city's sensors at BENCH_STEADY_RATE (10,000/s), each
 *    stamped with its send time as event time. A warm-up of at least BENCH_WARMUP_SECONDS (90),
 *    until the job has completed two micro-batches of them (the first ones compile and warm the
 *    job up) but at most BENCH_WARMUP_MAX_SECONDS (150), then BENCH_STEADY_SECONDS (120) measured.
 *    (The job's batches shrink for a minute or two after its first, compiling ones: with 30 s of
 *    warm-up and 60 measured they were still shrinking when the measure ended, 5-6 batches were
 *    measured and p95 moved between 19 and 26 s over four runs of nearly the same code.)
 *    Freshness of a reading: from its send to the moment the 5-minute window of its zone in
 *    MongoDB (traffic_aggregations) counts it — the k-th reading sent into a window is counted
 *    once the window's `readings` reaches k; the moment is the `written_at` the sink stamped on
 *    that version (MongoDB is polled every 250 ms). Readings not counted within
 *    BENCH_GRACE_SECONDS (30) after the load stops count as never fresh (infinite). Beside it: the
 *    job's floor, its trigger interval plus the median duration of the traffic windows query's
 *    micro-batches in the same span (from the job's metrics), the goal being p95 within trigger
 *    + 2 s; the broker's own round trip (a probe of 50 records/s, bench/lib/round-trip.js); and
 *    the memory of every process again, sampled every 2 s.
 *
 * Memory: RSS per service (the process and its children); the whole system is the sum of PSS
 * (shared pages split among the processes sharing them, so PostgreSQL's shared buffers count
 * once), with the RSS sum beside it. CPU under load: the cores each service used over the measured
 * span (user + system time of the process and its children, from /proc; 1.0 = one core all along),
 * so a slow batch can be read against what else held the cores.
 *
 *   node bench/steady.bench.js            (scripts/bench.sh builds the apps first)
 *   env: BENCH_STEADY_RATE (10000), BENCH_STEADY_SECONDS (120), BENCH_WARMUP_SECONDS (90),
 *        BENCH_WARMUP_MAX_SECONDS (150), BENCH_REST_SECONDS (20), BENCH_GRACE_SECONDS (30),
 *        BENCH_STEADY_STREAMS (traffic; a comma list, or all), BENCH_STEADY_ALERTING (1: run
 *        apps/alerting too), BENCH_SPARK_TRIGGER ("5 seconds", the job's default),
 *        BENCH_SPARK_LAKE_TRIGGER (bronze and silver; unset: the job's default, 1 minute),
 *        BENCH_KEEP_LOGS=1 (keep the services' logs)
 */
'use strict';
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const C = require('./lib/common');
const { MemorySampler, stackProcesses } = require('./lib/memory');
const { sendPaced } = require('./lib/paced-sender');
const { RoundTripProbe } = require('./lib/round-trip');
const { recordResults } = require('./results');

const e2e = C.e2eRequire('./dist');
const { contractOf } = C.e2eRequire('@citypulse/contracts');
const { AvroSerde, SchemaRegistryClient } = C.e2eRequire('@citypulse/kafka');
const { loadCity } = C.e2eRequire('@citypulse/postgres');

const RATE = Number(process.env.BENCH_STEADY_RATE ?? 10_000);
const SECONDS = Number(process.env.BENCH_STEADY_SECONDS ?? 120);
const WARMUP_S = Number(process.env.BENCH_WARMUP_SECONDS ?? 90);
const WARMUP_MAX_S = Number(process.env.BENCH_WARMUP_MAX_SECONDS ?? 150);
const REST_S = Number(process.env.BENCH_REST_SECONDS ?? 20);
const GRACE_S = Number(process.env.BENCH_GRACE_SECONDS ?? 30);
const TRIGGER = process.env.BENCH_SPARK_TRIGGER ?? '5 seconds';
const LAKE_TRIGGER = process.env.BENCH_SPARK_LAKE_TRIGGER;
const ALERTING = (process.env.BENCH_STEADY_ALERTING ?? '1') === '1';
const WINDOW_MS = 5 * 60_000;
const WINDOWS_QUERY = /^windows_traffic$/;

function triggerMs(text) {
  const m = /^\s*([\d.]+)\s*(second|seconds|s|milliseconds|ms|minute|minutes)\s*$/.exec(text);
  if (!m) throw new Error(`BENCH_SPARK_TRIGGER: cannot read "${text}" (e.g. "5 seconds")`);
  const unit =
    m[2].startsWith('ms') || m[2].startsWith('milli')
      ? 1
      : m[2].startsWith('minute')
        ? 60_000
        : 1000;
  return Number(m[1]) * unit;
}

/** Send times of the readings of each zone window, in send order; and what MongoDB counts. */
class Freshness {
  constructor() {
    this.sends = new Map(); // `${zone}|${windowStart}` -> send times
    this.counted = new Map(); // same key -> readings counted so far
    this.latencies = [];
    this.from = Infinity;
    this.to = -Infinity;
  }

  sent(zone, at) {
    const key = `${zone}|${Math.floor(at / WINDOW_MS) * WINDOW_MS}`;
    let list = this.sends.get(key);
    if (!list) this.sends.set(key, (list = []));
    list.push(at);
  }

  /** Readings are measured when sent within [from, to]. */
  measure(from, to) {
    this.from = from;
    this.to = to;
  }

  /** A version of a window seen in MongoDB: its readings up to `readings` are fresh at `at`. */
  seen(zone, windowStart, readings, at) {
    const key = `${zone}|${windowStart}`;
    const before = this.counted.get(key) ?? 0;
    if (readings <= before) return;
    this.counted.set(key, readings);
    const list = this.sends.get(key) ?? [];
    for (let k = before; k < Math.min(readings, list.length); k++) {
      if (list[k] >= this.from && list[k] <= this.to) this.latencies.push(at - list[k]);
    }
  }

  result() {
    let measured = 0;
    for (const list of this.sends.values())
      for (const t of list) if (t >= this.from && t <= this.to) measured++;
    const unseen = measured - this.latencies.length;
    const all = [...this.latencies, ...new Array(Math.max(0, unseen)).fill(Infinity)];
    return { ...C.summary(all), measured, unseen };
  }
}

async function pollMongo(db, freshness, since) {
  const docs = await db
    .collection('traffic_aggregations')
    .find(
      { window_start: { $gte: new Date(since) } },
      { projection: { zone_id: 1, window_start: 1, readings: 1, written_at: 1 } },
    )
    .toArray();
  const now = Date.now();
  for (const d of docs) {
    const at = d.written_at instanceof Date ? d.written_at.getTime() : now;
    freshness.seen(d.zone_id, d.window_start.getTime(), Number(d.readings), at);
  }
}

/**
 * The traffic windows query's micro-batches from the job's metrics (polled every second): how many
 * completed since the watch began, and the durations of those that completed while `measuring`.
 */
function watchBatches(url) {
  const out = { durations: [], completed: 0, measuring: false, last: undefined };
  const timer = setInterval(async () => {
    const m = await e2e.scrape(url);
    if (!m) return;
    const count = [...e2e.byLabel(m, 'citypulse_spark_batches_total', 'query')].find(([q]) =>
      WINDOWS_QUERY.test(q),
    )?.[1];
    const seconds = [...e2e.byLabel(m, 'citypulse_spark_batch_duration_seconds', 'query')].find(
      ([q]) => WINDOWS_QUERY.test(q),
    )?.[1];
    if (count !== undefined && out.last !== undefined && count > out.last) {
      out.completed += count - out.last;
      if (out.measuring && seconds !== undefined) out.durations.push(seconds * 1000);
    }
    out.last = count;
  }, 1_000);
  timer.unref();
  out.stop = () => clearInterval(timer);
  return out;
}

async function waitFirstBatch(url, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await e2e.scrape(url);
    const n = [...e2e.byLabel(m, 'citypulse_spark_batches_total', 'query')].find(([q]) =>
      WINDOWS_QUERY.test(q),
    )?.[1];
    if (n >= 1) return;
    if (Date.now() > deadline)
      throw new Error('the Spark job ran no batch of its traffic windows query in 5 minutes');
    await C.sleep(1_000);
  }
}

function processesOf(pipeline) {
  return () => {
    const procs = { ...stackProcesses() };
    for (const [name, p] of pipeline.processes) if (p.running && p.pid) procs[name] = p.pid;
    return procs;
  };
}

async function sampleMemory(processes, seconds) {
  const s = new MemorySampler(processes, 2_000).start();
  await C.sleep(seconds * 1000);
  return s.stop();
}

async function main() {
  const settings = C.stackSettings();
  const wanted = process.env.BENCH_STEADY_STREAMS ?? 'traffic';
  const streams = wanted === 'all' ? [...e2e.FLOW_STREAMS] : e2e.parseStreams(wanted);
  if (!streams.includes('traffic'))
    throw new Error('BENCH_STEADY_STREAMS must include traffic (its windows are measured)');
  const id = C.runId('steady').replace(/-/g, '_');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'citypulse-bench-steady-'));
  const stores = await C.runStores(settings, id);
  let pipeline;
  let probe;
  try {
    C.log(
      `starting the flow (${streams.join(', ')}${ALERTING ? ', alerting' : ''}); logs in ${tmp}/logs`,
    );
    pipeline = await e2e.Pipeline.start({
      streams,
      runDir: path.join(tmp, 'logs'),
      env: {
        MONGO_DB: stores.mongoDb,
        LAKE_DIR: path.join(tmp, 'lake'),
        CHECKPOINT_DIR: path.join(tmp, 'checkpoints'),
        POSTGRES_URL: stores.pgUrl(id),
        LOG_LEVEL: 'warn',
      },
      groupTag: id,
      sparkArgs: ['--trigger', TRIGGER, ...(LAKE_TRIGGER ? ['--lake-trigger', LAKE_TRIGGER] : [])],
      alerting: ALERTING,
      freshTopics: true,
      readyTimeoutMs: 300_000,
      log: (l) => C.log(`  ${l}`),
    });
    const processes = processesOf(pipeline);
    // the job's first micro-batch (empty, but it plans and compiles every query) before anything else
    C.log('waiting for the traffic windows query to finish its first batch');
    await waitFirstBatch(`${pipeline.urls.sparkMetrics}/metrics`);

    C.log(`at rest: idling ${REST_S} s, then sampling memory for 10 s`);
    await C.sleep(REST_S * 1000);
    const rest = await sampleMemory(processes, 10);
    rest.load = C.load();

    // the load: raw readings of the city's sensors, event time = send time
    const city = loadCity();
    const raw = contractOf('trafficRaw');
    const serde = new AvroSerde(new SchemaRegistryClient({ url: settings.SCHEMA_REGISTRY_URL }));
    const schemaId = await serde.register(`${raw.topic}-value`, raw.schema);
    // several requests in flight (an idempotent producer sends one at a time: 10,000/s would then
    // wait on the round trip)
    const producer = pipeline.kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: false,
      maxInFlightRequests: 5,
    });
    await producer.connect();
    probe = await new RoundTripProbe({
      kafka: pipeline.kafka,
      topic: `${id.replace(/_/g, '-')}.ping`,
      rate: 50,
    }).start();
    const freshness = new Freshness();
    const db = stores.db;
    const t0 = Date.now();
    const batches = watchBatches(`${pipeline.urls.sparkMetrics}/metrics`);
    let polling = true;
    const poller = (async () => {
      while (polling) {
        await pollMongo(db, freshness, t0 - WINDOW_MS).catch(() => undefined);
        await C.sleep(250);
      }
    })();
    const sensors = city.sensors;
    let seq = 0;
    let steady;
    let measureFrom;
    C.log(
      `under load: ${C.fmt(RATE)} raw traffic readings/s; measured for ${SECONDS} s once ${WARMUP_S} s have passed and the job has run 2 batches of them (at most ${WARMUP_MAX_S} s)`,
    );
    const sent = await sendPaced({
      producer,
      topic: raw.topic,
      rate: RATE,
      // the first batches with data compile and warm the job up (the first one took 32 s at load 14)
      keepGoing: (now) => measureFrom === undefined || now < measureFrom + SECONDS * 1000,
      onTick: (now) => {
        const warm = now >= t0 + WARMUP_S * 1000 && batches.completed >= 2;
        // a job that cannot finish two batches in time is measured as it is (its freshness shows it)
        if (measureFrom === undefined && (warm || now >= t0 + WARMUP_MAX_S * 1000)) {
          measureFrom = now;
          freshness.measure(now, now + SECONDS * 1000);
          probe.measure();
          batches.measuring = true;
          steady = new MemorySampler(processes, 2_000).start();
          C.log(
            `measuring from here (${((now - t0) / 1000).toFixed(0)} s of warm-up, ${batches.completed} batches)`,
          );
        }
      },
      build: (n, now) => {
        const messages = [];
        for (let i = 0; i < n; i++) {
          const s = sensors[seq % sensors.length];
          const reading = {
            event_id: `${id}-${seq++}`,
            event_time: now,
            sensor_id: s.id,
            zone_id: s.zone_id,
            speed: 20 + (seq % 40),
            speed_unit: 'KMH',
            vehicle_count: seq % 30,
            occupancy_pct: seq % 90,
            source: 'bench',
          };
          freshness.sent(s.zone_id, now);
          messages.push({ key: s.id, value: serde.encode(schemaId, reading) });
        }
        return messages;
      },
    });
    const memory = steady.stop();
    memory.load = C.load();
    batches.stop();
    const roundTrip = await probe.stop();
    probe = undefined;
    await producer.disconnect();
    C.log(
      `sent ${C.fmt(sent.sent)} readings at ${C.fmt(sent.perSecond)}/s; waiting up to ${GRACE_S} s for the last windows`,
    );
    const graceEnd = Date.now() + GRACE_S * 1000;
    while (Date.now() < graceEnd && freshness.result().unseen > 0) await C.sleep(500);
    polling = false;
    await poller;

    const fresh = freshness.result();
    const trigger = triggerMs(TRIGGER);
    const batchMs = C.summary(batches.durations);
    const floor = Math.round(trigger + (batchMs.p50 ?? 0));
    const goal = trigger + 2_000;
    const crashed = pipeline.crashed();
    const nodeServices = Object.entries(memory.processes).filter(([n]) =>
      /^(normalizer|aggregation-sink|alerting|sensor-generator|ticket-producer)/.test(n),
    );
    const nodeMax = Math.max(...nodeServices.map(([, m]) => m.peakRssMb));
    printReport({ fresh, trigger, batchMs, floor, goal, roundTrip, rest, memory, sent, crashed });
    recordResults(
      {
        freshness_p50_ms: fresh.p50,
        freshness_p95_ms: fresh.p95,
        freshness_p99_ms: fresh.p99,
        freshness_floor_ms: floor,
        freshness_goal_ms: goal,
        steady_rate: sent.perSecond,
        steady_broker_rtt_p99_ms: roundTrip.p99,
        memory_rest_total_pss_mb: rest.total.meanPssMb,
        memory_steady_total_pss_mb: memory.total.peakPssMb,
        memory_steady_total_rss_mb: memory.total.peakRssMb,
        memory_steady_node_max_rss_mb: nodeMax,
      },
      {
        steady: {
          rate: RATE,
          sent,
          seconds: SECONDS,
          warmupSeconds: WARMUP_S,
          streams,
          alerting: ALERTING,
          triggerMs: trigger,
          freshness: fresh,
          sparkBatchMs: batchMs,
          brokerRoundTrip: roundTrip,
          memoryAtRest: rest,
          memoryUnderLoad: memory,
          crashed,
          at: new Date().toISOString(),
        },
      },
    );
    if (crashed.length > 0)
      throw new Error(`services exited during the run: ${crashed.join('; ')}`);
  } finally {
    await probe?.stop().catch(() => undefined);
    await pipeline?.stop();
    await stores.drop();
    if (process.env.BENCH_KEEP_LOGS !== '1') rmSync(tmp, { recursive: true, force: true });
  }
}

function printReport({
  fresh,
  trigger,
  batchMs,
  floor,
  goal,
  roundTrip,
  rest,
  memory,
  sent,
  crashed,
}) {
  const ms = (v) => (v === null || !Number.isFinite(v) ? 'never' : `${C.fmt(v)} ms`);
  const lines = [
    '',
    `freshness of traffic_zone_5m in MongoDB at ${C.fmt(sent.perSecond)} readings/s (n=${C.fmt(fresh.measured)}, ${C.fmt(fresh.unseen)} never counted):`,
    `  p50 ${ms(fresh.p50)}   p95 ${ms(fresh.p95)}   p99 ${ms(fresh.p99)}   max ${ms(fresh.max)}`,
    `  floor: trigger ${C.fmt(trigger)} ms + windows batch p50 ${ms(batchMs.p50)} (n=${batchMs.n}, p95 ${ms(batchMs.p95)}) = ${C.fmt(floor)} ms; goal p95 <= ${C.fmt(goal)} ms: ${fresh.p95 !== null && fresh.p95 <= goal ? 'met' : 'NOT met'}`,
    `  broker produce->consume beside it: p50 ${ms(roundTrip.p50)}, p99 ${ms(roundTrip.p99)}`,
    '',
    `memory (MB), CPU                 rest RSS   load RSS (mean / peak)   load CPU (cores of ${os.cpus().length})`,
  ];
  const names = new Set([...Object.keys(rest.processes), ...Object.keys(memory.processes)]);
  for (const n of [...names].sort()) {
    const r = rest.processes[n];
    const l = memory.processes[n];
    lines.push(
      `  ${n.padEnd(30)} ${String(r?.meanRssMb ?? '-').padStart(8)}   ${String(l?.meanRssMb ?? '-').padStart(8)} / ${String(l?.peakRssMb ?? '-').padStart(5)}   ${String(l?.cores ?? '-').padStart(8)}`,
    );
  }
  lines.push(
    `  ${'whole system, PSS'.padEnd(30)} ${String(rest.total.meanPssMb).padStart(8)}   ${String(memory.total.meanPssMb).padStart(8)} / ${String(memory.total.peakPssMb).padStart(5)}   ${String(memory.total.cores).padStart(8)}   (RSS sum ${rest.total.meanRssMb} / ${memory.total.peakRssMb}; CPU: the bench's own producer and prober not included)`,
    `  (load average at rest ${rest.load[0]}, under load ${memory.load[0]}; goals: each Node service <= 250 MB, the whole system <= 3,072 MB)`,
  );
  if (crashed.length) lines.push(`  crashed: ${crashed.join('; ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

C.runMain(main);
