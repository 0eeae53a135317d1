import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@citypulse/config';
import {
  dlqTopic,
  keyFor,
  schemaOf,
  subjectFor,
  TOPICS,
  type MobilityIndex5m,
  type TrafficZoneAggregate5m,
  type ValueOf,
} from '@citypulse/contracts';
import { AvroSerde, createKafka, SchemaRegistryClient } from '@citypulse/kafka';
import { uniqueName, waitFor, waitForGroupMember } from '@citypulse/testing';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { sinkConfigSchema, type SinkConfig } from '../src/config';
import type { AggregateSpec, AggregateStream } from '../src/aggregates/aggregate-spec';
import {
  sampleIncidentsUpdate,
  sampleTicketsUpdate,
  sampleTransportUpdate,
} from '../src/aggregates/samples';
import { AGGREGATE_SPECS, INCIDENTS, TICKETS, TRANSPORT } from '../src/aggregates/specs';
import { startSink } from '../src/main';
import { mobilityUpdate, shuffled, T0, trafficUpdate, WINDOW_MS } from './fixtures';
import { TestStores } from './stores';
import { TcpProxy } from './tcp-proxy';

jest.setTimeout(180_000);

type Sink = Awaited<ReturnType<typeof startSink>>;

/**
 * The sink as deployed: real Kafka and schema registry, Confluent-framed Avro produced with the
 * contracts' schemas, real PostgreSQL (reached through a TCP proxy the test can cut) and real
 * FerretDB/MongoDB. Zone ids are unique to the run, so records others produce to the shared
 * aggregate topics meanwhile never disturb the assertions.
 */
describe('aggregation-sink over Kafka (real stack)', () => {
  let stores: TestStores;
  let proxy: TcpProxy;
  let config: SinkConfig;
  let sink: Sink | undefined;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let serde: AvroSerde;
  let trafficSchemaId: number;
  let mobilitySchemaId: number;
  /** the registered schema id of every aggregate stream */
  const schemaIds = new Map<AggregateStream, number>();
  let api: string;
  const run = uniqueName('r')
    .replace(/[^a-z0-9]/gi, '')
    .slice(-8)
    .toUpperCase();
  const zone = (n: number): string => `T${run}-Z${String(n).padStart(2, '0')}`;

  /** The fixture update with this run's zone id (and the key and event id that go with it). */
  const update = (z: number, w: number, v: number): TrafficZoneAggregate5m => {
    const u = trafficUpdate(z, w, v);
    const zoneId = zone(z);
    return { ...u, zone_id: zoneId, event_id: `${zoneId}|${u.window_start}|${u.updated_at}` };
  };

  async function produceTraffic(values: TrafficZoneAggregate5m[]): Promise<void> {
    await producer.send({
      topic: TOPICS.trafficByZone5m,
      messages: values.map((v) => ({
        key: `${v.zone_id}|${v.window_start}`,
        value: serde.encode(trafficSchemaId, v),
      })),
    });
  }

  async function produceMobility(values: MobilityIndex5m[]): Promise<void> {
    await producer.send({
      topic: TOPICS.mobilityIndex5m,
      messages: values.map((v) => ({
        key: String(v.window_start),
        value: serde.encode(mobilitySchemaId, v),
      })),
    });
  }

  /** Produces updates of any aggregate as the Spark job does: contract key, Confluent-framed Avro. */
  async function produce<S extends AggregateStream>(
    spec: AggregateSpec<S>,
    values: ValueOf<S>[],
  ): Promise<void> {
    const schemaId = schemaIds.get(spec.stream)!;
    await producer.send({
      topic: spec.topic,
      messages: values.map((v) => ({
        key: keyFor(spec.stream, v),
        value: serde.encode(schemaId, v),
      })),
    });
  }

  /** High watermarks when the group joined: a partition not written since has nothing to commit. */
  const atJoin = new Map<string, string>();

  /** Waits until the sink's group has committed everything produced to the topic so far. */
  async function drained(topic: string): Promise<void> {
    const ends = await admin.fetchTopicOffsets(topic);
    await waitFor(
      async () => {
        const [committed] = await admin.fetchOffsets({
          groupId: config.sink.groupId,
          topics: [topic],
        });
        return ends.every((e) => {
          const c = committed?.partitions.find((p) => p.partition === e.partition);
          return c?.offset === e.high || atJoin.get(`${topic}/${e.partition}`) === e.high;
        });
      },
      { timeoutMs: 60_000, what: `group ${config.sink.groupId} to commit ${topic}` },
    );
  }

  async function mongoDocs(): Promise<Array<Record<string, unknown>>> {
    return stores.mongoDb
      .collection('traffic_aggregations')
      .find({ zone_id: { $regex: `^T${run}-` } }, { projection: { written_at: 0 } })
      .sort({ _id: 1 })
      .toArray();
  }

  async function pgRows(): Promise<Array<Record<string, unknown>>> {
    const { rows } = await stores.pool.query<Record<string, unknown>>(
      `SELECT zone_id, window_start, updated_at, event_id, total_vehicle_flow, readings
         FROM traffic_window_aggregates WHERE zone_id LIKE $1 ORDER BY zone_id, window_start`,
      [`T${run}-%`],
    );
    return rows;
  }

  beforeAll(async () => {
    stores = await new TestStores().setUp();
    const pg = new URL(stores.env.POSTGRES_URL);
    proxy = await new TcpProxy(pg.hostname, Number(pg.port || 5432)).start();
    const proxied = new URL(stores.pgUrl);
    proxied.port = String(proxy.port);
    config = loadConfig(sinkConfigSchema, {
      ...stores.env,
      POSTGRES_URL: proxied.toString(),
      MONGO_DB: stores.name,
      AGGREGATION_SINK_GROUP_ID: uniqueName('sink-int'),
      AGGREGATION_SINK_HTTP_PORT: '0',
      AGGREGATION_SINK_METRICS_PORT: '0',
      AGGREGATION_SINK_WRITE_MAX_ATTEMPTS: '100',
      KAFKA_CLIENT_ID: 'aggregation-sink-int',
      LOG_LEVEL: 'error',
    });
    kafka = createKafka({ ...config.kafka, logLevel: 'nothing' });
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    serde = new AvroSerde(new SchemaRegistryClient(config.registry));
    trafficSchemaId = await serde.register(
      subjectFor(TOPICS.trafficByZone5m),
      schemaOf('trafficByZone5m'),
    );
    mobilitySchemaId = await serde.register(
      subjectFor(TOPICS.mobilityIndex5m),
      schemaOf('mobilityIndex5m'),
    );

    sink = await startSink(config, { fromBeginning: false });
    const address = (sink.app.getHttpServer() as Server).address() as AddressInfo;
    api = `http://127.0.0.1:${address.port}`;
    // a new group starts at the end of the topic: produce only once it owns its partitions
    await waitForGroupMember(admin, config.sink.groupId);
    for (const spec of AGGREGATE_SPECS) {
      schemaIds.set(
        spec.stream,
        await serde.register(subjectFor(spec.topic), schemaOf(spec.stream)),
      );
    }
    for (const topic of AGGREGATE_SPECS.map((spec) => spec.topic)) {
      for (const p of await admin.fetchTopicOffsets(topic))
        atJoin.set(`${topic}/${p.partition}`, p.high);
    }
  });

  afterAll(async () => {
    await sink?.close();
    await producer?.disconnect();
    await admin?.disconnect();
    await proxy?.stop();
    await stores?.tearDown();
  });

  // 6 zones x 3 windows x 3 versions
  const all = (): TrafficZoneAggregate5m[] =>
    [1, 2, 3, 4, 5, 6].flatMap((z) =>
      [0, 1, 2].flatMap((w) => [1, 2, 3].map((v) => update(z, w, v))),
    );

  it('stores one document and one row per zone and window, with the newest version, out of order', async () => {
    await produceTraffic(shuffled(all()));
    await drained(TOPICS.trafficByZone5m);
    const docs = await mongoDocs();
    expect(docs).toHaveLength(18);
    expect(docs.every((d) => d.readings === 30)).toBe(true);
    const rows = await pgRows();
    expect(rows).toHaveLength(18);
    expect(rows.map((r) => r.event_id)).toEqual(docs.map((d) => d.event_id));
  });

  it('changes nothing when the topic is replayed twice', async () => {
    const before = { mongo: await mongoDocs(), pg: await pgRows() };
    await produceTraffic(all());
    await produceTraffic([...all()].reverse());
    await drained(TOPICS.trafficByZone5m);
    expect({ mongo: await mongoDocs(), pg: await pgRows() }).toEqual(before);
  });

  it('keeps the newer version when an older one arrives after it', async () => {
    await produceTraffic([update(7, 0, 9)]);
    await produceTraffic([update(7, 0, 4)]);
    await drained(TOPICS.trafficByZone5m);
    const doc = (await mongoDocs()).find((d) => d.zone_id === zone(7));
    expect(doc?.event_id).toBe(update(7, 0, 9).event_id);
    const row = (await pgRows()).find((r) => r.zone_id === zone(7));
    expect(row?.event_id).toBe(update(7, 0, 9).event_id);
  });

  it('sends an impossible aggregate to the DLQ with the reason, and stores the rest of its batch', async () => {
    const bad = { ...update(8, 0, 1), window_end: T0 - 1 };
    const good = update(8, 1, 1);
    await produceTraffic([bad, good]);
    await drained(TOPICS.trafficByZone5m);
    expect((await mongoDocs()).filter((d) => d.zone_id === zone(8)).map((d) => d.event_id)).toEqual(
      [good.event_id],
    );

    const dlq = kafka.consumer({ groupId: uniqueName('sink-dlq-reader') });
    await dlq.connect();
    await dlq.subscribe({ topic: dlqTopic(TOPICS.trafficByZone5m), fromBeginning: true });
    let headers: Record<string, string> | undefined;
    await dlq.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() !== `${bad.zone_id}|${bad.window_start}`) return;
        headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        );
        await Promise.resolve();
      },
    });
    await waitFor(() => headers, { timeoutMs: 60_000, what: 'the bad record in the DLQ' });
    await dlq.disconnect();
    expect(JSON.stringify(headers)).toMatch(/window_end is not after window_start/);
  });

  it('serves the stored windows over REST', async () => {
    const get = async <T = Record<string, unknown>>(
      path: string,
    ): Promise<{ status: number; body: T }> => {
      const res = await fetch(`${api}${path}`);
      return { status: res.status, body: (await res.json()) as T };
    };
    type Windows = { zone_id: string; windows: Array<Record<string, unknown>> };
    const windows = await get<Windows>(
      `/traffic/zones/${zone(1).toLowerCase()}/windows?from=${T0}&to=${new Date(T0 + 2 * WINDOW_MS).toISOString()}`,
    );
    expect(windows.status).toBe(200);
    expect(windows.body.zone_id).toBe(zone(1));
    expect(windows.body.windows.map((w) => w.window_start)).toEqual([
      new Date(T0).toISOString(),
      new Date(T0 + WINDOW_MS).toISOString(),
    ]);
    expect(windows.body.windows[0]).toMatchObject({ readings: 30, zone_name: 'Zone 1' });

    const latest = await get<Windows>('/traffic/latest');
    const mine = latest.body.windows.find((w) => w.zone_id === zone(2));
    expect(mine?.window_start).toBe(new Date(T0 + 2 * WINDOW_MS).toISOString());

    expect((await get('/traffic/zones/Z01/windows?from=nonsense')).status).toBe(400);

    await produceMobility([mobilityUpdate(0, 1), mobilityUpdate(0, 2), mobilityUpdate(0, 1)]);
    await drained(TOPICS.mobilityIndex5m);
    const mobility = await get('/mobility/latest');
    expect(mobility.status).toBe(200);
    expect(mobility.body).toHaveProperty('category');
    expect(mobility.body).toHaveProperty('mobility_index');
  });

  /**
   * The aggregates added on the spec, each over its own topic. Their keys cannot all be made unique
   * to the run (a ticket priority is an enum), so the run's windows are: days of their own in the
   * past, which nobody else produces, and which no "latest" of a live stack ever shows.
   */
  const RUN_T0 = Date.UTC(2001, 0, 1) + (parseInt(run, 36) % 7_000) * 86_400_000;
  interface StreamCase {
    spec: AggregateSpec;
    update(s: number, w: number, v: number): ValueOf<AggregateStream>;
    series: number;
    figure: string;
    at(v: number): number;
    /** the REST path of series `s` up to `/windows` */
    path(s: number): string;
  }
  const SEVERITIES = ['LOW', 'CRITICAL'] as const;
  const PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const;
  const streamCases: StreamCase[] = [
    {
      spec: TRANSPORT,
      update: (s, w, v) => sampleTransportUpdate(s + 1, w, v, RUN_T0),
      series: 3,
      figure: 'readings',
      at: (v) => 10 * v,
      path: (s) => `/transport_line_10m/lines/l${s + 1}`,
    },
    {
      spec: INCIDENTS,
      update: (s, w, v) =>
        sampleIncidentsUpdate(1 + Math.floor(s / 2), SEVERITIES[s % 2], w, v, RUN_T0),
      series: 4,
      figure: 'incident_count',
      at: (v) => v,
      path: (s) =>
        `/incidents_zone_15m/zones/z0${1 + Math.floor(s / 2)}/severities/${SEVERITIES[s % 2].toLowerCase()}`,
    },
    {
      spec: TICKETS,
      update: (s, w, v) => sampleTicketsUpdate(PRIORITIES[s], w, v, RUN_T0),
      series: 4,
      figure: 'ticket_count',
      at: (v) => 5 * v,
      path: (s) => `/tickets_priority_1m/priorities/${PRIORITIES[s]}`,
    },
  ];

  it.each(streamCases.map((c) => [c.spec.name, c] as const))(
    '%s: one row and one document per key and window at the newest version, over Kafka and REST',
    async (_, c) => {
      const { spec } = c;
      const WINDOWS = 3;
      const all = Array.from({ length: c.series }, (_s, s) =>
        Array.from({ length: WINDOWS }, (_w, w) => [1, 2, 3].map((v) => c.update(s, w, v))),
      ).flat(2);
      const from = new Date(RUN_T0);
      const to = new Date(RUN_T0 + WINDOWS * spec.windowMs);
      const rows = async () =>
        (
          await stores.pool.query<Record<string, unknown>>(
            `SELECT * FROM ${spec.table} WHERE window_start >= $1 AND window_start < $2`,
            [from, to],
          )
        ).rows.sort((a, b) => String(a.event_id).localeCompare(String(b.event_id)));
      // window_start range by exact _id reads: the run's keys are known
      const docs = async () => {
        const keys = [...new Set(all.map((u) => keyFor(spec.stream, u)))];
        const col = stores.mongoDb.collection<Record<string, unknown> & { _id: string }>(
          spec.collection,
        );
        const found = await Promise.all(
          keys.map((k) => col.findOne({ _id: k }, { projection: { written_at: 0 } })),
        );
        return found
          .flatMap((d) => (d ? [d] : []))
          .sort((a, b) => String(a.event_id).localeCompare(String(b.event_id)));
      };

      // out of order, then replayed twice, then an older version after the newest
      await produce(spec, shuffled(all));
      await drained(spec.topic);
      const before = { pg: await rows(), mongo: await docs() };
      expect(before.pg).toHaveLength(c.series * WINDOWS);
      expect(before.mongo).toHaveLength(c.series * WINDOWS);
      expect(before.pg.every((r) => r[c.figure] === c.at(3))).toBe(true);
      expect(before.mongo.map((d) => d.event_id)).toEqual(before.pg.map((r) => r.event_id));

      await produce(spec, all);
      await produce(spec, [...all].reverse());
      await produce(spec, [c.update(0, 0, 1), c.update(1, 2, 2)]);
      await drained(spec.topic);
      expect({ pg: await rows(), mongo: await docs() }).toEqual(before);

      // REST: one series' windows (ids and symbols in any case), and the latest of every series
      const res = await fetch(
        `${api}${c.path(1)}/windows?from=${from.toISOString()}&to=${to.getTime()}`,
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as { windows: Array<Record<string, unknown>> };
      expect(body.windows.map((w) => w.window_start)).toEqual(
        [0, 1, 2].map((w) => new Date(c.update(1, w, 1).window_start).toISOString()),
      );
      expect(body.windows.every((w) => w[c.figure] === c.at(3))).toBe(true);
      const latest = await fetch(`${api}/${spec.route}/latest`);
      expect(latest.status).toBe(200);
      expect(await latest.json()).toHaveProperty('windows');
      expect((await fetch(`${api}${c.path(1)}/windows?limit=none`)).status).toBe(400);
    },
  );

  it('sends an impossible transport aggregate to its DLQ with the reason, and stores the rest', async () => {
    const day = RUN_T0 + 86_400_000; // a day the cases above leave alone
    const good = sampleTransportUpdate(9, 0, 1, day);
    const bad = { ...sampleTransportUpdate(9, 1, 1, day), crowded_vehicles: 99 };
    await produce(TRANSPORT, [bad, good]);
    await drained(TRANSPORT.topic);
    const { rows } = await stores.pool.query<{ event_id: string }>(
      `SELECT event_id FROM ${TRANSPORT.table} WHERE line_id = 'L9' AND window_start >= $1`,
      [new Date(day)],
    );
    expect(rows.map((r) => r.event_id)).toEqual([good.event_id]);

    const dlq = kafka.consumer({ groupId: uniqueName('sink-dlq-reader') });
    await dlq.connect();
    await dlq.subscribe({ topic: dlqTopic(TRANSPORT.topic), fromBeginning: true });
    let headers: Record<string, string> | undefined;
    await dlq.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() !== keyFor(TRANSPORT.stream, bad)) return;
        headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        );
        await Promise.resolve();
      },
    });
    await waitFor(() => headers, { timeoutMs: 60_000, what: 'the bad record in the DLQ' });
    await dlq.disconnect();
    expect(JSON.stringify(headers)).toMatch(/crowded_vehicles is above active_vehicles/);
  });

  it('keeps newest-wins exact with two instances in the group, and when one leaves mid-stream', async () => {
    // zones 11-16, 4 windows, versions 1..6: the newest of each window is version 6
    const versions = (from: number, to: number): TrafficZoneAggregate5m[] =>
      [11, 12, 13, 14, 15, 16].flatMap((z) =>
        [0, 1, 2, 3].flatMap((w) =>
          Array.from({ length: to - from + 1 }, (_, i) => update(z, w, from + i)),
        ),
      );
    const second = await startSink(config, { fromBeginning: false });
    try {
      await waitFor(
        async () => {
          const { groups } = await admin.describeGroups([config.sink.groupId]);
          return groups[0]?.state === 'Stable' && groups[0].members.length === 2;
        },
        { timeoutMs: 60_000, what: 'two sink instances sharing the group' },
      );
      // versions 1-4 out of order, with older ones after newer and a replay
      await produceTraffic(shuffled(versions(1, 4), 7));
      await produceTraffic(versions(1, 2));
      await drained(TOPICS.trafficByZone5m);
    } finally {
      await second.close();
    }
    // the first instance takes over every partition and gets versions 5-6, then a replay of all
    await produceTraffic(shuffled(versions(5, 6), 11));
    await produceTraffic(shuffled(versions(1, 6), 13));
    await drained(TOPICS.trafficByZone5m);

    const newest = (zoneId: string, w: number) => update(Number(zoneId.slice(-2)), w, 6);
    const zones = new Set([11, 12, 13, 14, 15, 16].map(zone));
    const docs = (await mongoDocs()).filter((d) => zones.has(d.zone_id as string));
    const rows = (await pgRows()).filter((r) => zones.has(r.zone_id as string));
    expect(docs).toHaveLength(24);
    expect(rows).toHaveLength(24);
    for (const d of docs) {
      const w = ((d.window_start as Date).getTime() - T0) / WINDOW_MS;
      expect(d.event_id).toBe(newest(d.zone_id as string, w).event_id);
      expect(d.readings).toBe(60);
    }
    expect(rows.map((r) => r.event_id)).toEqual(docs.map((d) => d.event_id));
  });

  it('rides out a PostgreSQL outage: no offset committed while down, nothing lost or doubled after', async () => {
    const committedBefore = await admin.fetchOffsets({
      groupId: config.sink.groupId,
      topics: [TOPICS.trafficByZone5m],
    });
    await proxy.cut();
    const during = [9, 10].flatMap((z) =>
      [0, 1].flatMap((w) => [1, 2].map((v) => update(z, w, v))),
    );
    await produceTraffic(during);

    // the sink fails, retries with backoff, and commits nothing meanwhile
    const failures = async (): Promise<number> => {
      const text = await sink!.obs.metrics.text();
      const m =
        /citypulse_sink_write_failures_total\{[^}]*kind="traffic"[^}]*store="postgres"[^}]*\} (\d+)/.exec(
          text,
        );
      return m ? Number(m[1]) : 0;
    };
    await waitFor(async () => (await failures()) >= 2, {
      timeoutMs: 60_000,
      what: 'failed write attempts',
    });
    expect(
      await admin.fetchOffsets({ groupId: config.sink.groupId, topics: [TOPICS.trafficByZone5m] }),
    ).toEqual(committedBefore);

    await proxy.restore();
    await drained(TOPICS.trafficByZone5m);
    const zones = new Set([zone(9), zone(10)]);
    const docs = (await mongoDocs()).filter((d) => zones.has(d.zone_id as string));
    const rows = (await pgRows()).filter((r) => zones.has(r.zone_id as string));
    expect(docs).toHaveLength(4);
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r.event_id)).toEqual(docs.map((d) => d.event_id));
    expect(rows.every((r) => r.readings === 20)).toBe(true);
  });
});
