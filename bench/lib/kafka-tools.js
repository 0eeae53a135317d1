'use strict';
/**
 * Kafka's own performance tools (kafka-tools of the stack's Kafka version, installed with the
 * stack's Kafka jars: the classes behind bin/kafka-consumer-perf-test.sh and
 * bin/kafka-producer-perf-test.sh), run as the limits the stages are compared with.
 */
const { spawn } = require('node:child_process');
const { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { root } = require('./common');

function kafkaLibs(settings) {
  const stack =
    settings.CITYPULSE_STACK || process.env.CITYPULSE_STACK || path.join(root, '.stack');
  return path.join(stack, 'cache', 'kafka', settings.KAFKA_VERSION, 'libs');
}

/** Runs a class of the stack's Kafka jars with a small heap; resolves with its stdout. */
function runKafkaTool(settings, mainClass, args, timeoutMs = 180_000) {
  const libs = kafkaLibs(settings);
  if (!existsSync(libs) || !readdirSync(libs).some((f) => f.startsWith('kafka-tools-'))) {
    return Promise.reject(
      new Error(`kafka-tools is not in ${libs}: run deploy/local/stack.sh install (make install)`),
    );
  }
  return new Promise((resolve, reject) => {
    const child = spawn(
      'java',
      ['-Xmx512m', '-Dlog4j.configuration=file:/dev/null', '-cp', `${libs}/*`, mainClass, ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new Error(`${mainClass} ended ${signal ?? `with ${code}`}: ${(err || out).slice(-1500)}`),
        );
    });
  });
}

/**
 * The consumer settings ConsumerPerformance runs with. fetch.max.wait.ms 10 instead of the client's
 * 500: with 500 the tool read traffic.raw (1,000,000 records, its three partitions uneven, keyed by
 * sensor) at 67,709 records/s, 94 % of it in the first 1.7 s and the rest at one fetch per 500 ms
 * wait; with 10, 998,003 records/s (a kafkajs consumer: 915,272). The limit is what the broker can
 * serve, not a client's wait.
 */
let consumerConfig;
function consumerPerfConfig() {
  if (!consumerConfig) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'citypulse-perf-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    consumerConfig = path.join(dir, 'consumer.properties');
    writeFileSync(consumerConfig, 'fetch.max.wait.ms=10\n');
  }
  return consumerConfig;
}

/**
 * ConsumerPerformance reading `messages` records of `topic` from its beginning (one consumer, a
 * group of its own; consumerPerfConfig). Its fetch rate (records / fetch time, the group join left
 * out) is the limit.
 */
async function consumerPerformance(settings, { topic, messages, timeoutMs = 60_000 }) {
  const out = await runKafkaTool(settings, 'org.apache.kafka.tools.ConsumerPerformance', [
    '--bootstrap-server',
    settings.KAFKA_BROKERS,
    '--topic',
    topic,
    '--messages',
    String(messages),
    '--timeout',
    String(timeoutMs),
    '--consumer.config',
    consumerPerfConfig(),
  ]);
  // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
  // rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  const row = out
    .split('\n')
    .filter((l) => /^\d{4}-/.test(l))
    .pop();
  if (!row) throw new Error(`ConsumerPerformance printed no result:\n${out}`);
  const c = row.split(',').map((s) => s.trim());
  const mb = Number(c[2]);
  const records = Number(c[4]);
  const fetchSeconds = Number(c[7]) / 1000;
  return {
    records,
    fetchSeconds,
    recordsPerSecond: Math.round(records / fetchSeconds),
    mbPerSecond: Math.round((mb / fetchSeconds) * 10) / 10,
    /** key + value bytes per record, as ConsumerPerformance counts them */
    bytesPerRecord: Math.round((mb * 1024 * 1024) / Math.max(1, records)),
  };
}

/**
 * ProducerPerformance sending `records` records of `recordSize` bytes to `topic` as fast as it can,
 * with the client's defaults and acks=all (what the services' idempotent producers ask for).
 */
async function producerPerformance(settings, { topic, records, recordSize, props = [] }) {
  const out = await runKafkaTool(settings, 'org.apache.kafka.tools.ProducerPerformance', [
    '--topic',
    topic,
    '--num-records',
    String(records),
    '--record-size',
    String(recordSize),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${settings.KAFKA_BROKERS}`,
    'acks=all',
    ...props,
  ]);
  // "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, p50 ms 50th, p95 ms 95th, p99 ms 99th, ..."
  const m =
    /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/.exec(
      out,
    );
  if (!m) throw new Error(`ProducerPerformance printed no result:\n${out.slice(-1500)}`);
  return {
    records: Number(m[1]),
    recordSize,
    recordsPerSecond: Math.round(Number(m[2])),
    mbPerSecond: Number(m[3]),
    latencyMs: {
      avg: Number(m[4]),
      p50: Number(m[6]),
      p95: Number(m[7]),
      p99: Number(m[8]),
      max: Number(m[5]),
    },
  };
}

module.exports = { runKafkaTool, consumerPerformance, producerPerformance, kafkaLibs };
