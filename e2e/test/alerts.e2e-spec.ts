/**
 * The alerting scenario end to end: the sensor-generator's city with a forced jam, an overcrowded
 * line and a critical incident in the jammed zone (its scenario option), through the real
 * normalizers and apps/alerting, yields exactly the alerts an independent reading of the same
 * normalized events expects (expected-alerts.ts), in the alerts topic, in PostgreSQL and at a
 * webhook receiver that checks every signature.
 *
 * Determinism: the service evaluates a zone's readings as they arrive, and the readings of one
 * zone come from several partitions. So the records are sent in event-time order in chunks that
 * hold at most one reading per zone (and an incident report alone), each chunk only after the
 * service has evaluated the one before (its consumed-records count). Then it sees every zone's
 * readings, every vehicle's statuses and the incidents in event-time order, as the model does.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contractOf, TOPICS, type StreamName } from '@citypulse/contracts';
import { AvroSerde, KafkaProducer, SchemaRegistryClient } from '@citypulse/kafka';
import { loadCity } from '@citypulse/postgres';
import { generateCityRecords, type CityRecord, type Scenario } from '@citypulse/sensor-generator';
import { KafkaStreamsSink } from '@citypulse/sensor-generator/dist/kafka/kafka-sink';
import { uniqueName, waitFor } from '@citypulse/testing';
import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { baseEnv, endOffsetTotal, Pipeline, scrape, sum } from '../src';
import {
  expectedAlerts,
  type ExpectedAlert,
  type NormalizedEvent,
  type ScenarioRules,
} from './expected-alerts';

const env = baseEnv();
const log = (line: string) => process.stdout.write(`[e2e] ${line}\n`);
const MIN = 60_000;
/** a Monday morning between the rush hours */
const START = Date.UTC(2026, 10, 30, 10, 0, 0);
const SECRET = 'e2e-webhook-secret';
type Stream = 'traffic' | 'transport' | 'incidents';
const STREAMS: readonly Stream[] = ['traffic', 'transport', 'incidents'];
const RAW: Record<Stream, StreamName> = {
  traffic: 'trafficRaw',
  transport: 'transportRaw',
  incidents: 'incidentsRaw',
};
const NORMALIZED: Record<Stream, StreamName> = {
  traffic: 'trafficNormalized',
  transport: 'transportNormalized',
  incidents: 'incidentsNormalized',
};

/** In zone Z03: a critical incident from minute 3 to 16, a jam from 5 to 12; line L2 full from 4 to 9. */
const SCENARIO: Scenario = {
  incidents: [
    { zoneId: 'Z03', from: START + 3 * MIN, until: START + 16 * MIN, severity: 'CRITICAL' },
  ],
  jams: [{ zoneId: 'Z03', from: START + 5 * MIN, until: START + 12 * MIN }],
  crowding: [{ lineId: 'L2', from: START + 4 * MIN, until: START + 9 * MIN }],
};

/** The rules the scenario exercises at the shipped levels; data-quality and anomaly rules off. */
const RULES: ScenarioRules = {
  lateness_seconds: 30,
  severe_congestion: {
    severity: 'HIGH',
    window_seconds: 60,
    min_readings: 3,
    fire_below: 5,
    resolve_above: 8,
    cooldown_seconds: 300,
  },
  overcapacity: {
    severity: 'MEDIUM',
    window_seconds: 60,
    min_readings: 3,
    fire_above: 95,
    resolve_below: 90,
    cooldown_seconds: 300,
  },
  crowded_vehicle: { severity: 'LOW', fire_above: 90, resolve_below: 80, cooldown_seconds: 300 },
  critical_incident: { severity: 'CRITICAL', severities: ['CRITICAL'] },
  correlation: { severity: 'CRITICAL', within_seconds: 900, incident_open_seconds: 14_400 },
};
const OFF = {
  silent_sensor: {
    enabled: false,
    severity: 'MEDIUM',
    reporting_interval_seconds: 30,
    intervals: 4,
    cooldown_seconds: 0,
  },
  stuck_sensor: { enabled: false, severity: 'LOW', readings: 10, cooldown_seconds: 0 },
  dlq_rate: {
    enabled: false,
    severity: 'MEDIUM',
    window_seconds: 60,
    min_records: 100,
    fire_above: 0.05,
    resolve_below: 0.02,
    cooldown_seconds: 300,
  },
  anomaly: {
    enabled: false,
    severity: 'MEDIUM',
    alpha: 0.05,
    fire_z: 4,
    resolve_z: 2,
    consecutive: 3,
    warmup_readings: 30,
    min_spread_kmh: 2,
    cooldown_seconds: 600,
  },
};

/** A webhook receiver as a user writes one: checks the HMAC-SHA256 of each body with the secret. */
class Receiver {
  readonly deliveries: { key: string; eventId: string; signed: boolean }[] = [];
  private server?: Server;
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const want = Buffer.from(
          `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
        );
        const got = Buffer.from(String(req.headers['x-citypulse-signature'] ?? ''));
        this.deliveries.push({
          key: String(req.headers['idempotency-key']),
          eventId: (JSON.parse(body.toString()) as { event_id: string }).event_id,
          signed: got.length === want.length && timingSafeEqual(got, want),
        });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/alerts`;
  }
  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }
}

const pgUrl = (schema?: string) => {
  const url = env.POSTGRES_URL;
  if (!schema) return url;
  return `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
};

/** Every record of a topic, decoded with its contract's schema (the writers use it). */
async function readTopic<T>(kafka: Kafka, stream: StreamName, expected: number): Promise<T[]> {
  const type = contractOf(stream).type;
  const out: T[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('e2e-alerts-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS[stream], fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      if (message.value) out.push(type.fromBuffer(message.value.subarray(5)) as T);
      return Promise.resolve();
    },
  });
  try {
    await waitFor(() => out.length >= expected, {
      timeoutMs: 60_000,
      what: `${expected} records in ${TOPICS[stream]}`,
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

const compared = (a: ExpectedAlert) => ({
  event_id: a.event_id,
  alert_id: a.alert_id,
  rule: a.rule,
  alert_type: a.alert_type,
  status: a.status,
  subject_id: a.subject_id,
  zone_id: a.zone_id,
  event_time: Number(a.event_time),
  related_id: a.status === 'FIRING' ? a.related_id : null,
});
const byId = (xs: ReturnType<typeof compared>[]) =>
  [...xs].sort((a, b) => a.event_id.localeCompare(b.event_id));

describe('alerting end to end', () => {
  const id = uniqueName('e2e_alerts').replace(/-/g, '_');
  const tmp = mkdtempSync(join(tmpdir(), 'citypulse-e2e-alerts-'));
  const schema = `e2e_${id}`;
  const receiver = new Receiver();
  let pipeline: Pipeline | undefined;
  let failed = true;

  afterAll(async () => {
    await pipeline?.stop();
    await receiver.stop();
    const pg = new Client({ connectionString: pgUrl() });
    await pg.connect();
    await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pg.end();
    if (failed) log(`kept logs in ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  });

  it('a forced jam, an overcrowded line and a critical incident give exactly the expected alerts in the topic, PostgreSQL and the webhook', async () => {
    const pg = new Client({ connectionString: pgUrl() });
    await pg.connect();
    await pg.query(`CREATE SCHEMA ${schema}`);
    await pg.end();
    const rulesFile = join(tmp, 'rules.json');
    writeFileSync(
      rulesFile,
      JSON.stringify({
        ...RULES,
        severe_congestion: { ...RULES.severe_congestion, overrides: {} },
        overcapacity: { ...RULES.overcapacity, overrides: {} },
        crowded_vehicle: { ...RULES.crowded_vehicle, overrides: {} },
        ...OFF,
      }),
    );
    const url = await receiver.start();
    pipeline = await Pipeline.start({
      streams: STREAMS,
      runDir: join(tmp, 'logs'),
      env: {
        MONGO_DB: `citypulse_${id}`.slice(0, 60),
        LAKE_DIR: join(tmp, 'lake'),
        CHECKPOINT_DIR: join(tmp, 'checkpoints'),
        POSTGRES_URL: pgUrl(schema),
        ALERTING_RULES_FILE: rulesFile,
        ALERTING_WEBHOOK_URLS: url,
        ALERTING_WEBHOOK_SECRET: SECRET,
      },
      groupTag: id,
      alerting: true,
      spark: false,
      freshTopics: true,
      log,
    });
    const p = pipeline;

    // 18 simulated minutes of the city: 44 sensors and 54 vehicles every 30 s, the incident's 2 reports
    const records = [
      ...generateCityRecords(
        {
          seed: 'citypulse-e2e-alerts',
          city: loadCity(),
          startTime: START,
          intervalMs: 30_000,
          jamChancePerMinute: 0,
          incidentsPerZonePerDay: 0,
          scenario: SCENARIO,
        },
        98 * 36 + 2,
      ),
    ];
    const producer = new KafkaProducer({
      kafka: p.kafka,
      serde: new AvroSerde(new SchemaRegistryClient(p.connection.registry)),
      lingerMs: 0,
    });
    await producer.connect();
    const topics = Object.fromEntries(
      await Promise.all(
        STREAMS.map(
          async (st) =>
            [
              st,
              await producer.topic(TOPICS[RAW[st]], { schema: contractOf(RAW[st]).schema }),
            ] as const,
        ),
      ),
    ) as Record<Stream, Awaited<ReturnType<typeof producer.topic>>>;
    // the generator's own sink: each record to its stream's raw topic
    const sink = new KafkaStreamsSink<Stream, CityRecord>(producer, topics);
    const sent: Record<Stream, number> = { traffic: 0, transport: 0, incidents: 0 };
    const evaluated = async () => {
      const m = await scrape(`${p.urls.alertingMetrics}/metrics`);
      return STREAMS.every(
        (s) =>
          sum(m, 'citypulse_records_consumed_total', { topic: TOPICS[NORMALIZED[s]] }) >= sent[s],
      );
    };
    let chunk: CityRecord[] = [];
    let zones = new Set<string>();
    let flushes = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      await sink.send(chunk);
      for (const r of chunk) sent[r.stream]++;
      chunk = [];
      zones = new Set();
      flushes++;
      await waitFor(evaluated, {
        timeoutMs: 60_000,
        intervalMs: 10,
        what: 'the alerting service to evaluate the chunk',
      });
    };
    const t0 = Date.now();
    try {
      for (const r of records) {
        if (r.kind !== 'reading') throw new Error('the scenario sends clean records only');
        if (r.stream === 'incidents') {
          await flush();
          chunk.push(r);
          await flush();
          continue;
        }
        if (r.stream === 'traffic') {
          if (zones.has(r.value.zone_id)) await flush();
          zones.add(r.value.zone_id);
        }
        chunk.push(r);
      }
      await flush();
    } finally {
      await producer.disconnect();
    }
    log(
      `sent ${records.length} records in ${flushes} chunks in ${((Date.now() - t0) / 1000).toFixed(1)} s, each evaluated before the next`,
    );

    // the independent reading of what the normalizers wrote
    const normalized = await Promise.all(
      STREAMS.map(async (s) => {
        expect(await endOffsetTotal(p.kafka, TOPICS[NORMALIZED[s]])).toBe(sent[s]);
        return readTopic<NormalizedEvent['value']>(p.kafka, NORMALIZED[s], sent[s]);
      }),
    );
    const events = STREAMS.flatMap((s, i) =>
      normalized[i].map((value) => ({ stream: s, value }) as NormalizedEvent),
    ).sort((a, b) => a.value.event_time - b.value.event_time);
    const want = byId(expectedAlerts(events, RULES).map(compared));
    const rules = new Set(want.map((a) => `${a.rule} ${a.status}`));
    log(`expected ${want.length} alerts: ${[...rules].join(', ')}`);
    // the scenario is only a test of alerting if every rule it forces is in the expectation
    for (const r of [
      'correlation.congestion_incident FIRING',
      'correlation.congestion_incident RESOLVED',
      'incidents.critical FIRING',
      'incidents.critical RESOLVED',
      'transport.crowded_vehicle FIRING',
      'transport.crowded_vehicle RESOLVED',
      'traffic.overcapacity FIRING',
    ])
      expect([...rules]).toContain(r);
    const correlated = want.find((a) => a.alert_type === 'CORRELATED' && a.status === 'FIRING');
    expect(correlated?.zone_id).toBe('Z03');
    expect(correlated?.related_id).toMatch(/^INC-Z03-/);
    expect(want.some((a) => a.rule === 'traffic.severe_congestion')).toBe(false); // correlated instead

    // the alerts topic
    const topic = await readTopic<ExpectedAlert>(p.kafka, 'alerts', want.length);
    await new Promise((r) => setTimeout(r, 2_000)); // nothing more may come
    expect(byId(topic.map(compared))).toEqual(want);
    expect(await endOffsetTotal(p.kafka, TOPICS.alerts)).toBe(want.length);

    // PostgreSQL: the history, one row per FIRING and RESOLVED
    const db = new Client({ connectionString: pgUrl(schema) });
    await db.connect();
    try {
      const rows = async () =>
        (
          await db.query<ExpectedAlert>(
            'SELECT event_id, alert_id, rule, alert_type, status, subject_id, zone_id, event_time, related_id FROM alert_events',
          )
        ).rows;
      await waitFor(async () => (await rows()).length >= want.length, {
        timeoutMs: 30_000,
        what: `${want.length} rows in alert_events`,
      });
      const got = (await rows()).map((r) => ({
        ...r,
        event_time: new Date(r.event_time as unknown as string | Date).getTime(),
      }));
      expect(byId(got.map(compared))).toEqual(want);
    } finally {
      await db.end();
    }

    // the webhook: every alert once, signed, keyed by its event id
    await waitFor(() => receiver.deliveries.length >= want.length, {
      timeoutMs: 30_000,
      what: `${want.length} webhook deliveries`,
    });
    expect(receiver.deliveries.every((d) => d.signed && d.key === d.eventId)).toBe(true);
    expect(receiver.deliveries.map((d) => d.eventId).sort()).toEqual(
      want.map((a) => a.event_id).sort(),
    );

    expect(p.crashed()).toEqual([]);
    failed = false;
  }, 900_000);
});
