#!/usr/bin/env node
/**
 * Drain throughput of the sources and the normalizer, each against Kafka's own tools on the same
 * topic in the same run (`BENCH_ONLY=drain make bench`). Per stream (traffic, transport, incidents,
 * tickets; BENCH_STREAMS picks some):
 *
 * 1. the source — sensor-generator for traffic, transport and incidents, ticket-producer for
 *    tickets — runs as its own process at `--rate max` for BENCH_EVENTS (1,000,000) records into
 *    the stream's raw topic (the flow's own topics, recreated empty first, as the e2e tests do);
 *    its rate is read off the topic (end offsets every 100 ms, first record to last);
 * 2. the limits on that topic: ConsumerPerformance reads the backlog (its fetch rate; once before
 *    the normalizer and once after, the mean counts: the load of a shared machine moves), and
 *    ProducerPerformance sends as many records of the backlog's mean size (key + value) to a
 *    scratch topic with the same partitions (acks=all);
 * 3. the normalizer's worker for the stream (`node apps/normalizer/dist/main.js`, a fresh group)
 *    drains the backlog; its rate is records consumed (its own citypulse_records_consumed_total,
 *    scraped every 250 ms) over the time from its first consumed record to its last — the process
 *    start and group join are not counted, and the run ends only once the group's committed
 *    offsets reach the end of the topic (lag 0) and the normalized topic holds every accepted record.
 *
 * Each process's RSS (itself and its children) is sampled every 500 ms. Ratios: source /
 * ProducerPerformance, normalizer / ConsumerPerformance (goal >= 0.5).
 *
 *   node bench/drain.bench.js            (scripts/bench.sh builds the apps first; BENCH_ONLY=drain)
 *   env: BENCH_STREAMS (traffic,transport,incidents,tickets), BENCH_EVENTS (1000000),
 *        BENCH_CPU_PROF=<dir> (the normalizer runs with node --cpu-prof into it),
 *        BENCH_NORMALIZER_ONLY=1 (drain what the raw topics already hold, for profiling; records nothing),
 *        BENCH_KEEP_TOPICS=1 (leave the backlogs in the topics for BENCH_NORMALIZER_ONLY runs),
 *        BENCH_NORMALIZER_NODE_ARGS (node flags of the normalizer, space-separated, for experiments),
 *        BENCH_DRAIN_TIMEOUT_S (per process, 600)
 */
'use strict';
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const C = require('./lib/common');
const { consumerPerformance, producerPerformance } = require('./lib/kafka-tools');
const { MemorySampler, treeCpuSeconds } = require('./lib/memory');
const { recordResults } = require('./results');

const e2e = C.e2eRequire('./dist');
const { contractOf, STREAM_DEFINITIONS } = C.e2eRequire('@citypulse/contracts');
const { createKafka, dlqTopicFor, ensureTopics } = C.e2eRequire('@citypulse/kafka');

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const TIMEOUT_MS = Number(process.env.BENCH_DRAIN_TIMEOUT_S ?? 600) * 1000;
const CPU_PROF = process.env.BENCH_CPU_PROF;
/** profiling aid: drain what the raw topics hold already (no source, no tools, nothing recorded) */
const NORMALIZER_ONLY = process.env.BENCH_NORMALIZER_ONLY === '1';

/**
 * How each stream's source fills a backlog whose every record the normalizer accepts: event times
 * in the past (it refuses more than 5 minutes ahead), so the simulated span must end before now.
 */
const SOURCES = {
  traffic: {
    app: 'sensor-generator',
    args: ['--streams', 'traffic', '--interval', '1', '--start', '-1d'],
  },
  transport: {
    app: 'sensor-generator',
    args: ['--streams', 'transport', '--interval', '1', '--start', '-1d'],
  },
  // ~1,840 reports per simulated hour at 1,000 incidents per zone and day: 1,000,000 span ~23 days
  incidents: {
    app: 'sensor-generator',
    args: ['--streams', 'incidents', '--incidents-per-day', '1000', '--start', '-30d'],
  },
  tickets: { app: 'ticket-producer', args: ['--tickets-per-hour', '10000', '--start', '-5d'] },
};
const METRICS_PORT_VAR = {
  'sensor-generator': 'SENSOR_GENERATOR_METRICS_PORT',
  'ticket-producer': 'TICKET_PRODUCER_METRICS_PORT',
};

/**
 * Polls `count()` (every `intervalMs`) until `done(n)` says the work is over: the rate runs from
 * the first poll that saw progress to the last poll that saw the count change, so a process's
 * start and whatever it does after its last record are left out. The CPU time the process
 * (and its children) used over that span gives the CPU cost per record, a figure the load of a
 * shared machine moves far less than the rate.
 */
async function watchRate(count, done, { intervalMs, proc, what }) {
  const deadline = Date.now() + TIMEOUT_MS;
  let first;
  let last;
  let n = 0;
  let cpu = 0;
  for (;;) {
    // a new topic's leadership may still settle: a failed look counts as no progress
    const seen = await count().catch(() => n);
    const t = performance.now();
    // a process that has just exited reads as 0 s: keep the last time it was seen alive
    cpu = Math.max(cpu, proc.pid ? treeCpuSeconds(proc.pid) : 0);
    if (seen > 0 && !first) first = last = { n: seen, t, cpu };
    else if (seen !== n && first) last = { n: seen, t, cpu };
    n = seen;
    if (await done(n)) break;
    if (!proc.running && proc.exit?.code !== 0)
      throw new Error(
        `${what} exited (${proc.exit?.signal ?? proc.exit?.code}); see ${proc.spec.logFile}`,
      );
    if (Date.now() > deadline)
      throw new Error(`${what}: ${n} records after ${TIMEOUT_MS / 1000} s`);
    await C.sleep(intervalMs);
  }
  if (!first || last.t === first.t) throw new Error(`${what}: no progress seen (${n} records)`);
  const records = last.n - first.n;
  const seconds = (last.t - first.t) / 1000;
  return {
    records,
    seconds: Math.round(seconds * 100) / 100,
    recordsPerSecond: Math.round(records / seconds),
    cpuSeconds: Math.round((last.cpu - first.cpu) * 100) / 100,
    cpuMicrosPerRecord: Math.round((((last.cpu - first.cpu) * 1e6) / records) * 10) / 10,
  };
}

function spawnApp(runDir, name, app, args, env, nodeArgs = []) {
  const p = new e2e.ManagedProcess({
    name,
    command: process.execPath,
    args: [...nodeArgs, path.join(C.root, 'apps', app, 'dist', 'main.js'), ...args],
    env: C.childEnv(env),
    cwd: C.root,
    logFile: path.join(runDir, `${name}.log`),
  });
  p.start();
  return p;
}

async function drainStream(stream, ctx) {
  const { kafka, admin, settings, runDir, run } = ctx;
  const spec = e2e.STREAM_SPECS[stream];
  const raw = contractOf(spec.raw).topic;
  const normalized = contractOf(spec.normalized).topic;
  const source = SOURCES[stream];
  const out = { stream, source: source.app, events: EVENTS };

  if (NORMALIZER_ONLY)
    return {
      stream,
      normalizerRate: (await drainNormalizer(stream, await C.endOffsets(admin, raw), ctx))
        .normalizerRate,
    };

  // 1. the source at --rate max
  C.log(`${stream}: ${source.app} --rate max, ${C.fmt(EVENTS)} records into ${raw}`);
  const gen = spawnApp(
    runDir,
    `${source.app}-${stream}`,
    source.app,
    ['--rate', 'max', '--events', String(EVENTS), '--seed', run, ...source.args],
    {
      [METRICS_PORT_VAR[source.app]]: String(await C.freePort()),
      LOG_LEVEL: 'info',
    },
  );
  const genMem = new MemorySampler(() => ({ [source.app]: gen.pid }), 500).start();
  out.sourceRate = await watchRate(
    () => C.endOffsets(admin, raw),
    async (n) => n >= EVENTS || !gen.running,
    { intervalMs: 100, proc: gen, what: source.app },
  );
  const code = await gen.waitExit();
  out.sourceMemory = genMem.stop().processes[source.app];
  gen.closeLog();
  if (code !== 0) throw new Error(`${source.app} exited ${code}; see ${gen.spec.logFile}`);
  const own = /done: (\d+) records in ([\d.]+) s \(([\d.]+) events\/s\)/.exec(
    readFileSync(gen.spec.logFile, 'utf8'),
  );
  if (own)
    out.sourceOwnFigure = {
      records: Number(own[1]),
      seconds: Number(own[2]),
      recordsPerSecond: Math.round(Number(own[3])),
    };
  const backlog = await C.endOffsets(admin, raw);
  C.log(
    `${stream}: ${source.app} ${C.fmt(out.sourceRate.recordsPerSecond)} records/s, ${out.sourceRate.cpuMicrosPerRecord} us CPU/record, peak RSS ${out.sourceMemory.peakRssMb} MB (load ${C.load()[0]})`,
  );

  // 2. Kafka's tools on the same topic and record size
  out.consumerPerf = await consumerPerformance(settings, { topic: raw, messages: backlog });
  out.kafkajsConsumer = await kafkajsConsume(kafka, admin, raw, backlog);
  const scratch = `${run}.${raw}.limit`;
  await ensureTopics(kafka, [
    { topic: scratch, partitions: STREAM_DEFINITIONS[spec.raw].partitions },
  ]);
  try {
    out.producerPerf = await producerPerformance(settings, {
      topic: scratch,
      records: backlog,
      recordSize: out.consumerPerf.bytesPerRecord,
    });
  } finally {
    await admin.deleteTopics({ topics: [scratch] }).catch(() => undefined);
  }
  C.log(
    `${stream}: ConsumerPerformance ${C.fmt(out.consumerPerf.recordsPerSecond)} records/s, a kafkajs consumer alone ${C.fmt(out.kafkajsConsumer.recordsPerSecond)} records/s, ProducerPerformance ${C.fmt(out.producerPerf.recordsPerSecond)} records/s (${out.consumerPerf.bytesPerRecord} B/record)`,
  );

  Object.assign(out, await drainNormalizer(stream, backlog, ctx));
  // the consumer's limit again right after: on a shared machine the load moves between the two
  // measurements, and the mean of before and after brackets the normalizer's span
  const after = await consumerPerformance(settings, { topic: raw, messages: backlog });
  out.consumerPerfRuns = [out.consumerPerf.recordsPerSecond, after.recordsPerSecond];
  out.consumerPerf = {
    ...out.consumerPerf,
    recordsPerSecond: Math.round((out.consumerPerf.recordsPerSecond + after.recordsPerSecond) / 2),
  };
  out.sourceRatio = round3(out.sourceRate.recordsPerSecond / out.producerPerf.recordsPerSecond);
  out.normalizerRatio = round3(
    out.normalizerRate.recordsPerSecond / out.consumerPerf.recordsPerSecond,
  );
  out.load = C.load();
  C.log(
    `${stream}: normalizer ${C.fmt(out.normalizerRate.recordsPerSecond)} records/s = ${out.normalizerRatio} of ConsumerPerformance (${out.consumerPerfRuns.map((r) => C.fmt(r)).join(' before, ')} after; load ${out.load[0]})`,
  );
  return out;
}

/**
 * What the client library alone takes: a kafkajs consumer (the normalizer's fetch sizes, a group
 * of its own) whose handler does nothing but count, over the whole backlog. The normalizer can
 * get no closer to ConsumerPerformance than this.
 */
async function kafkajsConsume(kafka, admin, topic, records) {
  const groupId = `${topic}-bench-kafkajs-${Date.now().toString(36)}`;
  const consumer = kafka.consumer({
    groupId,
    maxBytesPerPartition: 524_288,
    maxBytes: 4_194_304,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let n = 0;
  let first;
  let last;
  const done = new Promise((resolve) => {
    void consumer.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        first ??= performance.now();
        n += batch.messages.length;
        last = performance.now();
        if (n >= records) resolve();
      },
    });
  });
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error('kafkajs consumer: timed out')), TIMEOUT_MS).unref(),
  );
  try {
    await Promise.race([done, timeout]);
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return { records: n, recordsPerSecond: Math.round(n / ((last - first) / 1000)) };
}

/** 3. the normalizer draining the backlog of its raw topic, with a group of its own. */
async function drainNormalizer(stream, backlog, { admin, runDir, run }) {
  const spec = e2e.STREAM_SPECS[stream];
  const raw = contractOf(spec.raw).topic;
  const normalized = contractOf(spec.normalized).topic;
  const out = {};
  const group = `${run}-normalizer-${stream}`;
  const port = await C.freePort();
  const nodeArgs = [
    ...(CPU_PROF
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${CPU_PROF}`,
          `--cpu-prof-name=normalizer-${stream}-${run}.cpuprofile`,
        ]
      : []),
    ...(process.env.BENCH_NORMALIZER_NODE_ARGS ?? '').split(' ').filter(Boolean),
  ];
  const norm = spawnApp(
    runDir,
    `normalizer-${stream}`,
    'normalizer',
    [],
    {
      NORMALIZER_WORKER: stream,
      NORMALIZER_GROUP_ID: group,
      NORMALIZER_METRICS_PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    nodeArgs,
  );
  const normMem = new MemorySampler(() => ({ normalizer: norm.pid }), 500).start();
  // the process's own view of its memory (prom-client's defaults), every 2 s: heap or not
  const heap = { heapTotalMb: 0, heapUsedMb: 0, externalMb: 0 };
  const heapTimer = setInterval(async () => {
    const m = await e2e.scrape(`http://127.0.0.1:${port}/metrics`);
    const mb = (name) => Math.round(e2e.sum(m, name) / 1048576);
    heap.heapTotalMb = Math.max(heap.heapTotalMb, mb('nodejs_heap_size_total_bytes'));
    heap.heapUsedMb = Math.max(heap.heapUsedMb, mb('nodejs_heap_size_used_bytes'));
    heap.externalMb = Math.max(heap.externalMb, mb('nodejs_external_memory_bytes'));
  }, 2_000);
  try {
    // progress from the output topic (nothing asked of the normalizer while it works); done once
    // the group's committed offsets reach the end of the raw topic (lag 0) and the output is still
    const url = `http://127.0.0.1:${port}/metrics`;
    const base = await C.endOffsets(admin, normalized);
    const rawEnd = await C.endOffsets(admin, raw);
    let lastChange = { n: -1, at: 0 };
    let snapshotAt = process.env.BENCH_HEAP_SNAPSHOT_AT_S
      ? Number(process.env.BENCH_HEAP_SNAPSHOT_AT_S) * 1000
      : undefined;
    out.normalizerRate = await watchRate(
      async () => {
        const n = (await C.endOffsets(admin, normalized)) - base;
        // profiling aid: a heap snapshot N s into the drain (the normalizer needs NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2)
        if (snapshotAt !== undefined && n > 0 && (snapshotAt -= 100) <= 0) {
          snapshotAt = undefined;
          process.kill(norm.pid, 'SIGUSR2');
        }
        return n;
      },
      async (n) => {
        if (n !== lastChange.n) lastChange = { n, at: Date.now() };
        if (Date.now() - lastChange.at < 1_000) return false;
        return (await C.committed(admin, group, raw)) >= rawEnd;
      },
      { intervalMs: 100, proc: norm, what: 'the normalizer' },
    );
    const m = await e2e.scrape(url);
    out.normalized = e2e.sum(m, 'citypulse_normalizer_records_normalized_total');
    out.rejected = e2e.sum(m, 'citypulse_normalizer_records_rejected_total');
    out.duplicates = e2e.sum(m, 'citypulse_normalizer_duplicates_dropped_total');
    out.outputRecords = await C.endOffsets(admin, normalized);
    out.dlqRecords = await C.endOffsets(admin, dlqTopicFor(raw)).catch(() => 0);
    if (out.outputRecords - base < out.normalized)
      throw new Error(
        `${normalized} got ${out.outputRecords - base} records, the normalizer counted ${out.normalized}`,
      );
  } finally {
    clearInterval(heapTimer);
    await norm.stop(20_000);
    out.normalizerMemory = { ...normMem.stop().processes.normalizer, peak: heap };
    norm.closeLog();
    await admin.deleteGroups([group]).catch(() => undefined);
  }
  C.log(
    `${stream}: normalizer ${C.fmt(out.normalizerRate.recordsPerSecond)} records/s over ${out.normalizerRate.seconds} s, ${out.normalizerRate.cpuMicrosPerRecord} us CPU/record; ` +
      `${C.fmt(out.normalized)} normalized, ${out.rejected} rejected, ${out.duplicates} duplicates; peak RSS ${out.normalizerMemory.peakRssMb} MB (heap ${heap.heapUsedMb}/${heap.heapTotalMb} MB, external ${heap.externalMb} MB; load ${C.load()[0]})`,
  );
  return out;
}

const round3 = (v) => Math.round(v * 1000) / 1000;

async function main() {
  const settings = C.stackSettings();
  const streams = (process.env.BENCH_STREAMS ?? e2e.FLOW_STREAMS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of streams) if (!SOURCES[s]) throw new Error(`BENCH_STREAMS: unknown stream ${s}`);
  const run = C.runId('drain');
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'citypulse-bench-drain-'));
  const kafka = createKafka({
    brokers: settings.KAFKA_BROKERS.split(','),
    clientId: run,
    logLevel: 'nothing',
  });
  // a consumer of an earlier run that died (a killed bench, Kafka's perf tools) still counts as a
  // member until its session times out, also across a broker restart: wait that out, then refuse
  let busy = await e2e.activeConsumers(kafka, e2e.flowTopics(streams));
  for (let waited = 0; busy.size > 0 && waited < 60; waited += 5) {
    if (waited === 0)
      C.log(`waiting up to 60 s for the members of ${[...busy.keys()].join(', ')} to expire`);
    await new Promise((r) => setTimeout(r, 5_000));
    busy = await e2e.activeConsumers(kafka, e2e.flowTopics(streams));
  }
  if (busy.size > 0)
    throw new Error(
      `the flow is running (groups with live members: ${[...busy.keys()].join(', ')}); stop it first`,
    );
  if (!NORMALIZER_ONLY) {
    C.log(`recreating the topics of ${streams.join(', ')} (empty); logs in ${runDir}`);
    await e2e.recreateTopics(kafka, streams);
  }
  const admin = kafka.admin(); // connected after the recreation: no stale partition leaders
  await admin.connect();
  const results = {};
  try {
    for (const s of streams)
      results[s] = await drainStream(s, { kafka, admin, settings, runDir, run });
  } finally {
    const keep = NORMALIZER_ONLY || process.env.BENCH_KEEP_TOPICS === '1';
    if (!keep) C.log('emptying the topics again');
    if (!keep)
      await e2e
        .recreateTopics(kafka, streams)
        .catch((e) => C.log(`could not recreate the topics: ${e.message}`));
    await admin.disconnect();
  }

  if (NORMALIZER_ONLY) return;
  const rows = [];
  const keys = {};
  for (const [s, r] of Object.entries(results)) {
    const cp = r.consumerPerf.recordsPerSecond;
    rows.push([
      `${r.source} (${s})`,
      r.sourceRate.recordsPerSecond,
      'ProducerPerformance',
      r.producerPerf.recordsPerSecond,
      r.sourceRatio,
      r.sourceRate.cpuMicrosPerRecord,
      r.sourceMemory.peakRssMb,
    ]);
    rows.push([
      `kafkajs consumer alone (${s})`,
      r.kafkajsConsumer.recordsPerSecond,
      'ConsumerPerformance',
      cp,
      round3(r.kafkajsConsumer.recordsPerSecond / cp),
      null,
      null,
    ]);
    rows.push([
      `normalizer ${s}`,
      r.normalizerRate.recordsPerSecond,
      'ConsumerPerformance',
      cp,
      r.normalizerRatio,
      r.normalizerRate.cpuMicrosPerRecord,
      r.normalizerMemory.peakRssMb,
    ]);
    Object.assign(keys, {
      [`drain_${s}_source_rps`]: r.sourceRate.recordsPerSecond,
      [`drain_${s}_producer_perf_rps`]: r.producerPerf.recordsPerSecond,
      [`drain_${s}_source_ratio`]: r.sourceRatio,
      [`drain_${s}_source_cpu_us_per_record`]: r.sourceRate.cpuMicrosPerRecord,
      [`drain_${s}_source_peak_rss_mb`]: r.sourceMemory.peakRssMb,
      [`drain_${s}_normalizer_rps`]: r.normalizerRate.recordsPerSecond,
      [`drain_${s}_consumer_perf_rps`]: cp,
      [`drain_${s}_kafkajs_consumer_rps`]: r.kafkajsConsumer.recordsPerSecond,
      [`drain_${s}_normalizer_ratio`]: r.normalizerRatio,
      [`drain_${s}_normalizer_cpu_us_per_record`]: r.normalizerRate.cpuMicrosPerRecord,
      [`drain_${s}_normalizer_peak_rss_mb`]: r.normalizerMemory.peakRssMb,
    });
  }
  const cell = (v, f) => (v === null || v === undefined ? '-' : f(v));
  process.stdout.write(
    `\n${'stage'.padEnd(32)} ${'records/s'.padStart(10)}  ${'limit'.padEnd(20)} ${'records/s'.padStart(10)} ${'ratio'.padStart(6)} ${'us CPU/rec'.padStart(10)} ${'peak RSS'.padStart(9)}\n` +
      rows
        .map(
          (r) =>
            `${r[0].padEnd(32)} ${C.fmt(r[1]).padStart(10)}  ${r[2].padEnd(20)} ${C.fmt(r[3]).padStart(10)} ${r[4].toFixed(3).padStart(6)} ${cell(r[5], (v) => v.toFixed(1)).padStart(10)} ${cell(r[6], (v) => `${v} MB`).padStart(9)}`,
        )
        .join('\n') +
      `\n(load average ${C.load().join(' ')}; normalizer goal: >= 0.5 of ConsumerPerformance)\n`,
  );
  recordResults(keys, {
    drain: { events: EVENTS, streams: results, at: new Date().toISOString() },
  });
  if (process.env.BENCH_KEEP_LOGS !== '1') rmSync(runDir, { recursive: true, force: true });
}

C.runMain(main);
