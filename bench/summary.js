#!/usr/bin/env node
/**
 * The one table `make bench` ends with: every stage's figure beside its limit (measured in the
 * same run), the ratio, the goal and whether it is met, with the machine's load average when
 * the figure was taken. Reads bench/results/history.jsonl: the figures of this run (the lines
 * since BENCH_RUN_STARTED, which scripts/bench.sh sets) or, run alone, the newest of each key.
 *
 *   node bench/summary.js            (scripts/bench.sh runs it last)
 */
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { HISTORY_FILE, RESULTS_FILE } = require('./results');

const STREAMS = ['traffic', 'transport', 'incidents', 'tickets'];
const SOURCE = {
  traffic: 'sensor-generator',
  transport: 'sensor-generator',
  incidents: 'sensor-generator',
  tickets: 'ticket-producer',
};

/** key -> { value, load, at } from the history (the newest line carrying the key wins). */
function figures(since) {
  const out = new Map();
  if (!existsSync(HISTORY_FILE)) return out;
  for (const line of readFileSync(HISTORY_FILE, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let h;
    try {
      h = JSON.parse(line);
    } catch {
      continue; // a torn line: skip it
    }
    if (since && h.at < since) continue;
    for (const [k, v] of Object.entries(h.figures ?? {}))
      out.set(k, { value: v, load: h.load?.[0], at: h.at });
  }
  return out;
}

const num = (v, digits = 0) =>
  typeof v === 'number' && Number.isFinite(v)
    ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : v === null
      ? 'never'
      : '-';

/** The rows: [stage, figure, limit, ratio, goal, met, load]. */
function rows(f) {
  const get = (k) => f.get(k)?.value;
  const loadOf = (...keys) => {
    const l = keys.map((k) => f.get(k)?.load).find((x) => x !== undefined);
    return l === undefined ? '-' : l.toFixed(1);
  };
  const has = (k) => f.has(k);
  const out = [];
  const met = (ok) => (ok === undefined ? '' : ok ? 'yes' : 'NO');
  if (has('broker_rtt_p99_ms'))
    out.push([
      'broker round trip, 10k/s',
      `p50 ${num(get('broker_rtt_p50_ms'), 1)} / p99 ${num(get('broker_rtt_p99_ms'), 1)} ms`,
      '(the limit of the latencies below)',
      '',
      '',
      '',
      loadOf('broker_rtt_p99_ms'),
    ]);
  for (const s of STREAMS) {
    if (has(`drain_${s}_source_rps`))
      out.push([
        `${SOURCE[s]} --rate max (${s})`,
        `${num(get(`drain_${s}_source_rps`))} rec/s`,
        `ProducerPerformance ${num(get(`drain_${s}_producer_perf_rps`))}`,
        num(get(`drain_${s}_source_ratio`), 2),
        '',
        '',
        loadOf(`drain_${s}_source_rps`),
      ]);
    if (has(`drain_${s}_normalizer_rps`)) {
      const r = get(`drain_${s}_normalizer_ratio`);
      out.push([
        `normalizer ${s}, 1M backlog`,
        `${num(get(`drain_${s}_normalizer_rps`))} rec/s`,
        `ConsumerPerformance ${num(get(`drain_${s}_consumer_perf_rps`))}` +
          (has(`drain_${s}_kafkajs_consumer_rps`)
            ? ` (kafkajs alone ${num(get(`drain_${s}_kafkajs_consumer_rps`))})`
            : ''),
        num(r, 2),
        '>= 0.50',
        met(r >= 0.5),
        loadOf(`drain_${s}_normalizer_rps`),
      ]);
    }
  }
  if (has('sink_drain_updates_per_s'))
    out.push([
      'aggregation-sink, 1M updates',
      `${num(get('sink_drain_updates_per_s'))} upd/s (${num(get('sink_drain_windows_per_s'))} windows/s)`,
      `ConsumerPerformance ${num(get('sink_drain_consumer_perf_rps'))}`,
      num(get('sink_drain_ratio'), 3),
      '',
      '',
      loadOf('sink_drain_updates_per_s'),
    ]);
  if (has('spark_drain_events_per_s')) {
    const v = get('spark_drain_events_per_s');
    out.push([
      `Spark job, all streams (${num(get('spark_queries'))} queries)`,
      `${num(v)} events/s`,
      `ConsumerPerformance ${num(get('spark_kafka_consumer_records_per_s'))}`,
      num(get('spark_drain_ratio'), 3),
      '>= 50,000/s',
      met(v >= 50_000),
      loadOf('spark_drain_events_per_s'),
    ]);
  }
  if (has('spark_warm_drain_events_per_s')) {
    const v = get('spark_warm_drain_events_per_s');
    out.push([
      'Spark job, warm (backlog reaching it)',
      `${num(v)} events/s`,
      `ConsumerPerformance ${num(get('spark_kafka_consumer_records_per_s'))}`,
      num(v / get('spark_kafka_consumer_records_per_s'), 3),
      '>= 50,000/s',
      met(v >= 50_000),
      loadOf('spark_warm_drain_events_per_s'),
    ]);
  }
  if (has('freshness_p95_ms')) {
    const p95 = get('freshness_p95_ms');
    const floor = get('freshness_floor_ms');
    out.push([
      `freshness in MongoDB, ${num(get('steady_rate'))}/s`,
      `p50 ${num(get('freshness_p50_ms'))} / p95 ${num(p95)} / p99 ${num(get('freshness_p99_ms'))} ms`,
      `floor ${num(floor)} ms (trigger + batch)`,
      typeof p95 === 'number' && floor ? num(p95 / floor, 2) : '-',
      `p95 <= ${num(get('freshness_goal_ms'))} ms`,
      met(typeof p95 === 'number' && p95 <= get('freshness_goal_ms')),
      loadOf('freshness_p95_ms'),
    ]);
  }
  if (has('alerting_latency_p99_ms')) {
    const p99 = get('alerting_latency_p99_ms');
    const rtt = get('alerting_broker_rtt_p99_ms');
    out.push([
      'event -> alert, 10k/s',
      `p50 ${num(get('alerting_latency_p50_ms'))} / p99 ${num(p99)} ms`,
      `broker p99 ${num(rtt)} ms`,
      rtt ? num(p99 / rtt, 1) : '-',
      'p99 <= 100 ms',
      met(p99 <= 100),
      loadOf('alerting_latency_p99_ms'),
    ]);
  }
  if (has('memory_steady_node_max_rss_mb'))
    out.push([
      'largest Node service RSS, 10k/s',
      `${num(get('memory_steady_node_max_rss_mb'))} MB`,
      '',
      '',
      '<= 250 MB',
      met(get('memory_steady_node_max_rss_mb') <= 250),
      loadOf('memory_steady_node_max_rss_mb'),
    ]);
  if (has('memory_steady_total_pss_mb'))
    out.push([
      'whole system (PSS), 10k/s',
      `${num(get('memory_steady_total_pss_mb'))} MB (RSS sum ${num(get('memory_steady_total_rss_mb'))})`,
      `at rest ${num(get('memory_rest_total_pss_mb'))} MB`,
      '',
      '<= 3,072 MB',
      met(get('memory_steady_total_pss_mb') <= 3072),
      loadOf('memory_steady_total_pss_mb'),
    ]);
  for (const s of STREAMS) {
    if (has(`drain_${s}_normalizer_peak_rss_mb`))
      out.push([
        `normalizer ${s} peak RSS, drain`,
        `${num(get(`drain_${s}_normalizer_peak_rss_mb`))} MB`,
        `${SOURCE[s]} ${num(get(`drain_${s}_source_peak_rss_mb`))} MB`,
        '',
        '',
        '',
        loadOf(`drain_${s}_normalizer_peak_rss_mb`),
      ]);
  }
  if (has('kafka_transport_rps'))
    out.push([
      'libs/kafka transport',
      `${num(get('kafka_transport_rps'))} rec/s`,
      `@nestjs/microservices ${num(get('nest_builtin_rps'))}`,
      `${num(get('ratio'), 1)}x`,
      '',
      '',
      loadOf('kafka_transport_rps'),
    ]);
  if (has('sink_scaling_spread'))
    out.push([
      'sink writes, 1k vs 1M stored',
      `${num(get('sink_windows_per_s_1000000'))} windows/s at 1M`,
      `${num(get('sink_windows_per_s_1000'))} at 1k`,
      `spread ${num(get('sink_scaling_spread') * 100)} %`,
      'spread <= 20 %',
      met(get('sink_scaling_spread') <= 0.2),
      loadOf('sink_scaling_spread'),
    ]);
  return out;
}

function table(header, body) {
  const all = [header, ...body];
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  const line = (r) =>
    r
      .map((c, i) => String(c).padEnd(widths[i]))
      .join(' | ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');
}

function main() {
  const since = process.env.BENCH_RUN_STARTED;
  const f = figures(since);
  if (!since && existsSync(RESULTS_FILE)) {
    // run alone: figures older than the history (latest.json only) too, with the load it recorded
    const latest = JSON.parse(readFileSync(RESULTS_FILE, 'utf8'));
    for (const [k, v] of Object.entries(latest)) {
      if (!f.has(k) && typeof v === 'number')
        f.set(k, { value: v, load: undefined, at: latest.at });
    }
  }
  const body = rows(f);
  process.stdout.write(
    `\n${since ? `make bench, figures of this run (since ${since})` : 'newest figures of bench/results/history.jsonl'}:\n\n`,
  );
  if (body.length === 0) {
    process.stdout.write('(no figures)\n');
    return;
  }
  process.stdout.write(
    `${table(['stage', 'figure', 'limit, same run', 'ratio', 'goal', 'met?', 'load'], body)}\n` +
      "\n(load: the machine's 1-minute load average when the figure was taken, 2 cores; bench/README.md explains each row)\n",
  );
}

main();
