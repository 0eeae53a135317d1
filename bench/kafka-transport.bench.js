#!/usr/bin/env node
/**
 * Kafka transport benchmark: N records through decode -> no-op handler -> encode -> produce, once
 * through @citypulse/kafka (KafkaBatchTransport + KafkaProducer, Confluent Avro) and once through
 * @nestjs/microservices' built-in Kafka transport (ServerKafka + ClientKafka, JSON), in one process,
 * one after the other, against the real Kafka and schema registry of the local stack.
 *
 * Both input topics are filled before timing starts; the clock runs from the first record a
 * handler sees until the last output record is acknowledged (consume -> produce only; group join
 * and pre-fill are not timed). Writes bench/results/latest.json and prints a side-by-side table.
 *
 *   node bench/kafka-transport.bench.js            (scripts/bench.sh builds libs/kafka first)
 *   env: KAFKA_BROKERS, SCHEMA_REGISTRY_URL (from .env), BENCH_RECORDS (default 200000),
 *        BENCH_PARTITIONS (3), BENCH_TIMEOUT_S (per transport, default 90; a transport still running then is measured on what it did),
 *        BENCH_ONLY=citypulse|builtin (one side only, for profiling; latest.json is not written)
 */
'use strict';
const { createRequire } = require('node:module');
const { writeFileSync, readFileSync } = require('node:fs');
const path = require('node:path');
const { recordResults } = require('./results');

const root = path.resolve(__dirname, '..');
// Dependencies resolve from libs/kafka, which owns them.
const req = createRequire(path.join(root, 'libs/kafka/package.json'));
req('reflect-metadata');
// The library first: it replaces kafkajs' quadratic per-partition grouping before kafkajs loads
// (both transports below share that kafkajs instance, so both benefit).
const lib = req('./dist');
const { Kafka, logLevel, Partitioners } = req('kafkajs');
const { Controller, Module } = req('@nestjs/common');
const { NestFactory } = req('@nestjs/core');
const { ClientKafka, EventPattern, Transport } = req('@nestjs/microservices');
const { SCHEMAS_DIR } = req('@citypulse/contracts');

const N = Number(process.env.BENCH_RECORDS ?? 200_000);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 3);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 90);
// the stack's settings as scripts/env.sh layers them (.env.example, .env, the environment): no port here
const STACK = createRequire(path.join(root, 'libs/testing/package.json'))('./dist').stackEnv();
const BROKERS = STACK.KAFKA_BROKERS.split(',');
const REGISTRY_URL = STACK.SCHEMA_REGISTRY_URL;
const RUN = `bench-${Date.now().toString(36)}`;
const TOPICS = {
  avroIn: `${RUN}.avro.in`,
  avroOut: `${RUN}.avro.out`,
  jsonIn: `${RUN}.json.in`,
  jsonOut: `${RUN}.json.out`,
};
const SCHEMA = JSON.parse(readFileSync(path.join(SCHEMAS_DIR, 'traffic-reading-raw.avsc'), 'utf8'));

const kafka = new Kafka({ brokers: BROKERS, clientId: RUN, logLevel: logLevel.NOTHING });

/** A realistic traffic.raw reading (the contracts' schema). */
function reading(i, now) {
  return {
    event_id: `${RUN}-${i}`,
    event_time: now - (i % 1000),
    sensor_id: `S-${i % 500}`,
    zone_id: `Z-${i % 12}`,
    speed: 20 + (i % 60) + 0.5,
    speed_unit: 'KMH',
    vehicle_count: i % 40,
    occupancy_pct: (i % 100) + 0.25,
    source: 'bench',
  };
}

/** A Nest module with one controller method decorated by `decorator` (plain JS, no TS decorators). */
function handlerModule(decorator, fn, imports = []) {
  class BenchController {
    handle(data, ctx) {
      return fn(data, ctx);
    }
  }
  const proto = BenchController.prototype;
  Object.defineProperty(
    proto,
    'handle',
    Reflect.decorate(
      [decorator],
      proto,
      'handle',
      Object.getOwnPropertyDescriptor(proto, 'handle'),
    ),
  );
  Reflect.decorate([Controller()], BenchController);
  class BenchModule {}
  Reflect.decorate([Module({ imports, controllers: [BenchController] })], BenchModule);
  return BenchModule;
}

/** Resolves with timing once `target` records are acknowledged, or at the time limit. */
function stopwatch(target) {
  let first = 0;
  let acked = 0;
  let resolve;
  const done = new Promise((r) => (resolve = r));
  const finish = (completed) => {
    const seconds = (performance.now() - first) / 1000;
    resolve({ records: acked, seconds, rps: Math.round(acked / seconds), completed });
  };
  const timer = setTimeout(() => finish(false), TIMEOUT_S * 1000);
  return {
    started() {
      if (!first) first = performance.now();
    },
    ack(n) {
      acked += n;
      if (acked >= target) {
        clearTimeout(timer);
        finish(true);
      }
    },
    done,
  };
}

async function createTopics() {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: Object.values(TOPICS).map((topic) => ({
      topic,
      numPartitions: PARTITIONS,
      replicationFactor: 1,
    })),
    waitForLeaders: true,
  });
  await admin.disconnect();
}

async function deleteTopics() {
  const admin = kafka.admin();
  await admin.connect();
  const mine = (await admin.listTopics()).filter((t) => t.startsWith(RUN));
  await admin.deleteTopics({ topics: mine }).catch(() => undefined);
  await admin.disconnect();
}

async function prefill() {
  const now = Date.now();
  const serde = new lib.AvroSerde(new lib.SchemaRegistryClient({ url: REGISTRY_URL }));
  const avro = new lib.KafkaProducer({ kafka, serde });
  await avro.connect();
  const avroIn = await avro.topic(TOPICS.avroIn, { schema: SCHEMA });
  const json = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await json.connect();
  const CHUNK = 3_000; // JSON batches stay under the broker's 1 MiB message.max.bytes
  for (let from = 0; from < N; from += CHUNK) {
    const values = [];
    for (let i = from; i < Math.min(N, from + CHUNK); i++) values.push(reading(i, now));
    await avroIn.send(values.map((v) => ({ key: v.sensor_id, value: v })));
    await json.sendBatch({
      topicMessages: [
        {
          topic: TOPICS.jsonIn,
          messages: values.map((v) => ({ key: v.sensor_id, value: JSON.stringify(v) })),
        },
      ],
    });
  }
  await avro.disconnect();
  await json.disconnect();
  return serde;
}

async function runCitypulse(serde) {
  const watch = stopwatch(N);
  const producer = new lib.KafkaProducer({
    kafka,
    serde,
    maxBatchRecords: Number(process.env.BENCH_PRODUCER_BATCH ?? 10_000),
  });
  await producer.connect();
  const out = await producer.topic(TOPICS.avroOut, { schema: SCHEMA });
  const noop = (value) => value;
  const Mod = handlerModule(
    lib.KafkaHandler(TOPICS.avroIn, { mode: 'batch', maxBatchRecords: 10_000 }),
    async (records) => {
      watch.started();
      const results = records.map((r) => ({ key: r.key, value: noop(r.value) }));
      await out.send(results); // acknowledged before the input offsets are resolved
      watch.ack(results.length);
    },
    [lib.KafkaTransportModule],
  );
  const app = await NestFactory.createMicroservice(Mod, {
    strategy: new lib.KafkaBatchTransport({
      kafka,
      registry: serde,
      groupId: `${RUN}-citypulse`,
      service: 'bench',
      partitionsConsumedConcurrently: PARTITIONS,
      ensureDlqTopics: true,
      logger: undefined,
    }),
    logger: ['error'],
  });
  await app.listen();
  const result = await watch.done;
  await app.close();
  await producer.disconnect();
  return result;
}

async function runNestBuiltin() {
  const watch = stopwatch(N);
  const client = new ClientKafka({
    client: { clientId: `${RUN}-builtin-client`, brokers: BROKERS, logLevel: logLevel.NOTHING },
    producer: { createPartitioner: Partitioners.DefaultPartitioner },
    producerOnlyMode: true,
  });
  await client.connect();
  // What a NestJS user writes: @EventPattern handler that emits the result with ClientKafka.
  const Mod = handlerModule(EventPattern(TOPICS.jsonIn), (data) => {
    watch.started();
    client.emit(TOPICS.jsonOut, data).subscribe({
      complete: () => watch.ack(1),
      error: (e) => console.error('builtin emit failed', e),
    });
  });
  const app = await NestFactory.createMicroservice(Mod, {
    transport: Transport.KAFKA,
    options: {
      client: { clientId: `${RUN}-builtin`, brokers: BROKERS, logLevel: logLevel.NOTHING },
      consumer: { groupId: `${RUN}-builtin` },
      subscribe: { fromBeginning: true },
    },
    logger: ['error'],
  });
  await app.listen();
  const result = await watch.done;
  await app.close();
  await client.close();
  return result;
}

/** BENCH_PROFILE=<file.cpuprofile>: a CPU profile of the timed part only (with BENCH_ONLY). */
async function startProfile() {
  const file = process.env.BENCH_PROFILE;
  if (!file) return async () => undefined;
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) =>
    new Promise((res, rej) => session.post(method, params, (e, r) => (e ? rej(e) : res(r))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return async () => {
    const { profile } = await post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

function table(rows) {
  const w = [32, 14, 10, 12, 10];
  const line = (cells) => cells.map((c, i) => String(c).padEnd(w[i])).join(' ');
  console.log(line(['transport', 'records/s', 'records', 'seconds', 'done']));
  console.log(line(w.map((n) => '-'.repeat(n - 1))));
  for (const r of rows)
    console.log(
      line([r.name, r.rps.toLocaleString('en'), r.records, r.seconds.toFixed(2), r.completed]),
    );
}

async function main() {
  console.log(
    `kafka transport bench: ${N} records, ${PARTITIONS} partitions, brokers ${BROKERS.join(',')}`,
  );
  await createTopics();
  let t = performance.now();
  const serde = await prefill();
  console.log(
    `pre-filled ${TOPICS.avroIn} (Avro) and ${TOPICS.jsonIn} (JSON) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  try {
    const only = process.env.BENCH_ONLY;
    if (only) {
      const stop = await startProfile();
      const r = only === 'builtin' ? await runNestBuiltin() : await runCitypulse(serde);
      await stop();
      console.log(`${only}: ${JSON.stringify(r)}`);
      return;
    }
    const ours = await runCitypulse(serde);
    console.log(`@citypulse/kafka: ${ours.rps} records/s`);
    const builtin = await runNestBuiltin();
    console.log(`@nestjs/microservices Kafka: ${builtin.rps} records/s`);
    const ratio = Math.round((ours.rps / builtin.rps) * 10) / 10;
    recordResults(
      {
        kafka_transport_rps: ours.rps,
        nest_builtin_rps: builtin.rps,
        ratio,
        records: N,
        partitions: PARTITIONS,
      },
      {
        kafka_transport: {
          ...ours,
          pipeline:
            'KafkaBatchTransport (eachBatch, Confluent Avro decode) -> no-op -> KafkaProducer (Avro encode, idempotent, batched, acked before commit)',
        },
        nest_builtin: {
          ...builtin,
          pipeline: 'ServerKafka (eachMessage, JSON) -> no-op -> ClientKafka.emit (JSON)',
        },
        kafkajs_group_patch: 'patches/kafkajs@2.2.4.patch (applies to both transports)',
        timing:
          'first record seen by a handler -> last output record acknowledged; topics pre-filled',
        schema: 'libs/contracts/schemas/traffic-reading-raw.avsc',
      },
    );
    console.log('');
    table([
      { name: '@citypulse/kafka (Avro, batch)', ...ours },
      { name: '@nestjs/microservices (JSON)', ...builtin },
    ]);
    console.log(
      `\nratio ${ratio}x   (aim: >= 5x and >= 50,000 records/s)   -> bench/results/latest.json`,
    );
  } finally {
    t = performance.now();
    await deleteTopics();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
