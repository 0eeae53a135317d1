'use strict';
/**
 * What every bench stage shares: the repository's paths, the e2e package (its Pipeline, process
 * runner, topic helpers and dependencies: kafkajs, mongodb, pg, the libs), the stack's settings,
 * small statistics and a log line.
 */
const { createRequire } = require('node:module');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
/** require() as the e2e package resolves: its dist and every dependency it has. */
const e2eRequire = createRequire(path.join(root, 'e2e', 'package.json'));

/** The stack's settings: .env.example, overridden by .env, then by the environment (like scripts/env.sh). */
function stackSettings() {
  return e2eRequire('@citypulse/testing').stackEnv();
}

/** The whole environment a child gets: the caller's (PATH, JAVA_HOME...) under the stack's settings. */
function childEnv(extra = {}) {
  return { ...e2eRequire('./dist').baseEnv(), ...extra };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A name unique to this run, for topics, groups, databases and schemas. */
function runId(tag) {
  return `bench-${tag}-${Date.now().toString(36)}`;
}

/** A TCP port nobody listens on right now (for a child's metrics port). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** n, p50, p95, p99 and max of a list of numbers, rounded to 0.1. */
function summary(values) {
  const s = Float64Array.from(values).sort();
  const r = (v) => (Number.isFinite(v) ? Math.round(v * 10) / 10 : null);
  return {
    n: s.length,
    p50: r(percentile(s, 50)),
    p95: r(percentile(s, 95)),
    p99: r(percentile(s, 99)),
    max: r(s[s.length - 1]),
  };
}

/** The machine's load average (1, 5, 15 min), rounded. */
function load() {
  return os.loadavg().map((v) => Math.round(v * 100) / 100);
}

function log(line) {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

/** 1234567 -> '1,234,567' */
const fmt = (n, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : String(n);

/**
 * A PostgreSQL schema and a MongoDB database of this run (the services' tables and collections
 * land there, not in the shared ones); `drop()` removes both. `pgUrl(schema)` is POSTGRES_URL
 * with that search_path.
 */
async function runStores(settings, id) {
  const { MongoClient } = e2eRequire('mongodb');
  const { Client } = e2eRequire('pg');
  const pgUrl = (schema) => {
    const u = new URL(settings.POSTGRES_URL);
    if (schema) u.searchParams.set('options', `-c search_path=${schema}`);
    return u.toString();
  };
  const pg = new Client({ connectionString: pgUrl() });
  await pg.connect();
  await pg.query(`CREATE SCHEMA ${id}`);
  const mongo = new MongoClient(settings.MONGO_URL);
  await mongo.connect();
  const mongoDb = `citypulse_${id}`.slice(0, 60);
  return {
    schema: id,
    pgUrl,
    pg,
    mongo,
    mongoDb,
    db: mongo.db(mongoDb),
    drop: async () => {
      await mongo
        .db(mongoDb)
        .dropDatabase()
        .catch(() => undefined);
      await mongo.close();
      await pg.query(`DROP SCHEMA IF EXISTS ${id} CASCADE`).catch(() => undefined);
      await pg.end();
    },
  };
}

/** Records in a topic: the sum of its partitions' end offsets. */
async function endOffsets(admin, topic) {
  return (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0);
}

/** Records of a topic a group has committed: the sum of its committed offsets. */
async function committed(admin, groupId, topic) {
  const [c] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return c.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
}

/** Runs main, exits 0 on success and 1 (with the stack) on a failure. */
function runMain(main) {
  main().then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`${e?.stack ?? e}\n`);
      process.exit(1);
    },
  );
}

module.exports = {
  root,
  e2eRequire,
  stackSettings,
  childEnv,
  sleep,
  runId,
  freePort,
  percentile,
  summary,
  load,
  log,
  fmt,
  runStores,
  endOffsets,
  committed,
  runMain,
};
