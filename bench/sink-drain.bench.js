#!/usr/bin/env node
/**
 * The aggregation-sink draining a backlog of window updates (`BENCH_ONLY=sink-drain make bench`),
 * next to Kafka's ConsumerPerformance on the same topic in the same run.
 *
 * 1. agg.traffic.5m (the flow's topic, recreated empty, as the e2e tests do) is filled with
 *    BENCH_SINK_EVENTS (1,000,000) updates of traffic zone windows in the order the Spark job
 *    emits them: for each 5-minute window, BENCH_SINK_VERSIONS (60: a 5-minute window under a
 *    5-second trigger) versions of each of the 12 zones' windows in turn, figures growing with the
 *    version (the sink's own sample updates).
 * 2. ConsumerPerformance reads the backlog: the limit.
 * 3. The sink (`node apps/aggregation-sink/dist/main.js`, a group, MongoDB database and PostgreSQL
 *    schema of this run) drains it; its rate is the updates it consumed (its own
 *    citypulse_records_consumed_total, scraped every 500 ms) over the time from its first to its
 *    last, done once its group's committed offsets reach the end of the topic. Both stores must
 *    then hold every window at its newest version (checked in MongoDB and PostgreSQL).
 * The sink collapses a batch's updates to the newest version per window before writing, so what
 * it writes is windows, fewer than the updates: both are reported. Its RSS is sampled every 500 ms.
 *
 *   node bench/sink-drain.bench.js
 *   env: BENCH_SINK_EVENTS (1000000), BENCH_SINK_VERSIONS (60), BENCH_DRAIN_TIMEOUT_S (600)
 */
'use strict';
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const C = require('./lib/common');
const { consumerPerformance } = require('./lib/kafka-tools');
const { MemorySampler, treeCpuSeconds } = require('./lib/memory');
const { recordResults } = require('./results');

const e2e = C.e2eRequire('./dist');
const { contractOf } = C.e2eRequire('@citypulse/contracts');
const { AvroSerde, KafkaProducer, SchemaRegistryClient, createKafka } =
  C.e2eRequire('@citypulse/kafka');
const { sampleTrafficUpdate } = require(
  path.join(C.root, 'apps/aggregation-sink/dist/aggregates/samples'),
);

const EVENTS = Number(process.env.BENCH_SINK_EVENTS ?? 1_000_000);
const VERSIONS = Number(process.env.BENCH_SINK_VERSIONS ?? 60);
const TIMEOUT_MS = Number(process.env.BENCH_DRAIN_TIMEOUT_S ?? 600) * 1000;
const ZONES = 12;

/** Update i of the backlog: window w = i / (zones * versions), version, zone. */
function update(i) {
  const perWindow = ZONES * VERSIONS;
  const w = Math.floor(i / perWindow);
  const r = i % perWindow;
  return sampleTrafficUpdate((r % ZONES) + 1, w, Math.floor(r / ZONES) + 1);
}

async function main() {
  const settings = C.stackSettings();
  const run = C.runId('sink');
  const id = run.replace(/-/g, '_');
  const contract = contractOf('trafficByZone5m');
  const topic = contract.topic;
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'citypulse-bench-sink-'));
  const kafka = createKafka({
    brokers: settings.KAFKA_BROKERS.split(','),
    clientId: run,
    logLevel: 'nothing',
  });
  const busy = await e2e.activeConsumers(kafka, [topic]);
  if (busy.size > 0)
    throw new Error(
      `${topic} is being consumed (${[...busy.keys()].join(', ')}); stop the flow first`,
    );
  C.log(`recreating ${topic} (and the flow's other topics, empty); logs in ${runDir}`);
  await e2e.recreateTopics(kafka, ['traffic']);
  const admin = kafka.admin();
  await admin.connect();
  const stores = await C.runStores(settings, id);
  // distinct zone windows: 12 per full window (zones x versions updates), and the zones the rest reaches
  const perWindow = ZONES * VERSIONS;
  const windows = Math.floor(EVENTS / perWindow) * ZONES + Math.min(ZONES, EVENTS % perWindow);
  const out = { events: EVENTS, versions: VERSIONS, windows };
  let sink;
  try {
    // 1. the backlog
    const t = performance.now();
    const producer = new KafkaProducer({
      kafka,
      serde: new AvroSerde(new SchemaRegistryClient({ url: settings.SCHEMA_REGISTRY_URL })),
    });
    await producer.connect();
    const out_ = await producer.topic(topic, { schema: contract.schema });
    for (let i = 0; i < EVENTS; i += 10_000) {
      const records = [];
      for (let j = i; j < Math.min(EVENTS, i + 10_000); j++) {
        const value = update(j);
        records.push({ key: contract.key(value), value });
      }
      await out_.send(records);
    }
    await producer.disconnect();
    const backlog = await C.endOffsets(admin, topic);
    C.log(
      `${C.fmt(backlog)} updates of ${C.fmt(out.windows)} windows in ${topic} (${((performance.now() - t) / 1000).toFixed(1)} s)`,
    );

    // 2. the limit
    out.consumerPerf = await consumerPerformance(settings, { topic, messages: backlog });
    C.log(
      `ConsumerPerformance ${C.fmt(out.consumerPerf.recordsPerSecond)} records/s (${out.consumerPerf.bytesPerRecord} B/record)`,
    );

    // 3. the sink
    const group = `${run}-sink`;
    const port = await C.freePort();
    sink = new e2e.ManagedProcess({
      name: 'aggregation-sink',
      command: process.execPath,
      args: [path.join(C.root, 'apps/aggregation-sink/dist/main.js')],
      env: C.childEnv({
        AGGREGATION_SINK_GROUP_ID: group,
        AGGREGATION_SINK_METRICS_PORT: String(port),
        AGGREGATION_SINK_HTTP_PORT: String(await C.freePort()),
        MONGO_DB: stores.mongoDb,
        POSTGRES_URL: stores.pgUrl(id),
        LOG_LEVEL: 'warn',
      }),
      cwd: C.root,
      logFile: path.join(runDir, 'aggregation-sink.log'),
    });
    sink.start();
    const mem = new MemorySampler(() => ({ sink: sink.pid }), 500).start();
    const url = `http://127.0.0.1:${port}/metrics`;
    const deadline = Date.now() + TIMEOUT_MS;
    let first;
    let last;
    let n = 0;
    for (;;) {
      const m = await e2e.scrape(url);
      const seen = m ? e2e.sum(m, 'citypulse_records_consumed_total', { topic }) : n;
      const now = performance.now();
      if (seen > 0 && !first) first = last = { n: seen, t: now, cpu: treeCpuSeconds(sink.pid) };
      else if (seen !== n && first) last = { n: seen, t: now, cpu: treeCpuSeconds(sink.pid) };
      n = seen;
      if (n >= backlog && (await C.committed(admin, group, topic)) >= backlog) break;
      if (!sink.running) throw new Error(`the sink exited; see ${sink.spec.logFile}`);
      if (Date.now() > deadline)
        throw new Error(`the sink consumed ${n} of ${backlog} in ${TIMEOUT_MS / 1000} s`);
      await C.sleep(500);
    }
    const seconds = (last.t - first.t) / 1000;
    out.sink = {
      records: last.n - first.n,
      seconds: Math.round(seconds * 100) / 100,
      updatesPerSecond: Math.round((last.n - first.n) / seconds),
      cpuMicrosPerRecord:
        Math.round((((last.cpu - first.cpu) * 1e6) / (last.n - first.n)) * 10) / 10,
    };
    const m = await e2e.scrape(url);
    out.windowsWritten = e2e.sum(m, 'citypulse_sink_windows_written_total') || undefined;
    await sink.stop(20_000);
    out.memory = mem.stop().processes.sink;

    // every window in both stores, each full one at its newest version (readings = 10 x versions)
    const full = Math.floor(EVENTS / perWindow) * ZONES;
    const newest = 10 * VERSIONS;
    const col = stores.db.collection('traffic_aggregations');
    const docs = await col.countDocuments();
    const docsNewest = await col.countDocuments({ readings: newest });
    const { rows } = await stores.pg.query(
      `SELECT count(*)::int AS n, (count(*) FILTER (WHERE readings = $1))::int AS newest FROM ${id}.traffic_window_aggregates`,
      [newest],
    );
    out.stored = { mongodb: docs, postgres: rows[0].n };
    if (docs !== windows || rows[0].n !== windows)
      throw new Error(
        `the stores hold ${docs} (MongoDB) and ${rows[0].n} (PostgreSQL) windows, expected ${windows}`,
      );
    if (docsNewest < full || rows[0].newest < full)
      throw new Error(
        `${docsNewest} (MongoDB) and ${rows[0].newest} (PostgreSQL) windows at their newest version, expected ${full}`,
      );
    const expected = windows;
    out.windowsPerSecond = Math.round(expected / seconds);
    out.ratio =
      Math.round((out.sink.updatesPerSecond / out.consumerPerf.recordsPerSecond) * 1000) / 1000;
    out.load = C.load();
    process.stdout.write(
      `\n${'stage'.padEnd(34)} ${'records/s'.padStart(10)}  ${'limit'.padEnd(20)} ${'records/s'.padStart(10)} ${'ratio'.padStart(6)} ${'peak RSS'.padStart(9)}\n` +
        `${'aggregation-sink (window updates)'.padEnd(34)} ${C.fmt(out.sink.updatesPerSecond).padStart(10)}  ${'ConsumerPerformance'.padEnd(20)} ${C.fmt(out.consumerPerf.recordsPerSecond).padStart(10)} ${out.ratio.toFixed(3).padStart(6)} ${`${out.memory.peakRssMb} MB`.padStart(9)}\n` +
        `(${C.fmt(expected)} windows in each store, ${C.fmt(out.windowsPerSecond)} windows/s; ${out.sink.cpuMicrosPerRecord} us CPU per update; load average ${out.load.join(' ')})\n`,
    );
    recordResults(
      {
        sink_drain_updates_per_s: out.sink.updatesPerSecond,
        sink_drain_windows_per_s: out.windowsPerSecond,
        sink_drain_consumer_perf_rps: out.consumerPerf.recordsPerSecond,
        sink_drain_ratio: out.ratio,
        sink_drain_peak_rss_mb: out.memory.peakRssMb,
      },
      { sink_drain: { ...out, at: new Date().toISOString() } },
    );
  } finally {
    await sink?.stop(20_000);
    sink?.closeLog();
    await admin.deleteGroups([`${run}-sink`]).catch(() => undefined);
    await e2e
      .recreateTopics(kafka, ['traffic'])
      .catch((e) => C.log(`could not empty the topics: ${e.message}`));
    await admin.disconnect();
    await stores.drop();
    rmSync(runDir, { recursive: true, force: true });
  }
}

C.runMain(main);
