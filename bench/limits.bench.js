#!/usr/bin/env node
/**
 * The broker's own produce -> consume round trip at the rates the latency stages use
 * (`BENCH_ONLY=limits make bench`): records of the size of a raw traffic reading, stamped with
 * their send time, produced at BENCH_RTT_RATES records/s (default 10000, the rate of the freshness
 * and alerting stages) with acks=all and read back by a consumer in a group, both kafkajs in this
 * process (bench/lib/round-trip.js, the same probe the latency stages run beside their load).
 * p50/p95/p99 over BENCH_RTT_SECONDS (20) after a 3 s warm-up. The throughput limits
 * (ConsumerPerformance, ProducerPerformance) are taken by each drain stage on its own topic.
 *
 *   node bench/limits.bench.js
 *   env: BENCH_RTT_RATES (comma list, 10000), BENCH_RTT_SECONDS (20)
 */
'use strict';
const C = require('./lib/common');
const { measureRoundTrip } = require('./lib/round-trip');
const { recordResults } = require('./results');

const { createKafka } = C.e2eRequire('@citypulse/kafka');

async function main() {
  const settings = C.stackSettings();
  const rates = (process.env.BENCH_RTT_RATES ?? '10000').split(',').map(Number);
  const seconds = Number(process.env.BENCH_RTT_SECONDS ?? 20);
  const run = C.runId('limits');
  const kafka = createKafka({
    brokers: settings.KAFKA_BROKERS.split(','),
    clientId: run,
    logLevel: 'nothing',
  });
  const results = {};
  for (const rate of rates) {
    C.log(`broker round trip at ${C.fmt(rate)} records/s for ${seconds} s (load ${C.load()[0]})`);
    // 102 bytes: a raw traffic reading as the generator sends it (key + framed Avro value)
    const r = await measureRoundTrip({
      kafka,
      topic: `${run}.ping-${rate}`,
      rate,
      seconds,
      recordBytes: 102,
    });
    r.load = C.load();
    results[rate] = r;
    C.log(
      `  sent ${C.fmt(r.sentPerSecond)}/s, n=${C.fmt(r.n)}: p50 ${r.p50} ms, p95 ${r.p95} ms, p99 ${r.p99} ms, max ${r.max} ms (load ${r.load[0]})`,
    );
  }
  const keys = {};
  for (const [rate, r] of Object.entries(results)) {
    const tag = rate === '10000' ? '' : `_${rate}`;
    Object.assign(keys, {
      [`broker_rtt_p50_ms${tag}`]: r.p50,
      [`broker_rtt_p95_ms${tag}`]: r.p95,
      [`broker_rtt_p99_ms${tag}`]: r.p99,
    });
  }
  recordResults(keys, { limits: { roundTrip: results, at: new Date().toISOString() } });
}

C.runMain(main);
