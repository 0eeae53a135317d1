import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import SwaggerParser from '@apidevtools/swagger-parser';
import { loadConfig } from '@citypulse/config';
import { keyFor, schemaOf, subjectFor, type ValueOf } from '@citypulse/contracts';
import { AvroSerde, createKafka, SchemaRegistryClient } from '@citypulse/kafka';
import { documentationGaps, responseChecker, servedRoutes } from '@citypulse/rest';
import { uniqueName, waitFor, waitForGroupMember } from '@citypulse/testing';
import type { Admin, Producer } from 'kafkajs';
import type { OpenAPIV3 } from 'openapi-types';
import type { AggregateSpec, AggregateStream } from '../src/aggregates/aggregate-spec';
import {
  sampleIncidentsUpdate,
  sampleMobilityUpdate,
  sampleTicketsUpdate,
  sampleTrafficUpdate,
  sampleTransportUpdate,
} from '../src/aggregates/samples';
import { AGGREGATE_SPECS, AGGREGATES } from '../src/aggregates/specs';
import { sinkConfigSchema } from '../src/config';
import { startSink } from '../src/main';
import { viewColumns } from '../src/read-api/read-queries';
import { TestStores } from './stores';

jest.setTimeout(180_000);

type Sink = Awaited<ReturnType<typeof startSink>>;
type Json = Record<string, unknown>;

/**
 * The read API of the running sink (real Kafka, registry, PostgreSQL, FerretDB): its OpenAPI
 * document against what the HTTP server really serves, checked with swagger-parser; the strict
 * query rules on every route; and real windows — produced to each aggregate topic as the Spark job
 * does, stored by the sink — read back page by page, every answer checked against the document.
 * The run's windows are on days of their own in 2001+, so others producing to the shared topics
 * meanwhile change none of the answers asserted.
 */
describe('aggregation-sink read API (real stack)', () => {
  let stores: TestStores;
  let sink: Sink | undefined;
  let admin: Admin;
  let producer: Producer;
  let api: string;
  let doc: OpenAPIV3.Document;
  const run = uniqueName('api').replace(/[^a-z0-9]/gi, '');
  const RUN_T0 = Date.UTC(2001, 0, 1) + (parseInt(run.slice(-6), 36) % 7_000) * 86_400_000;
  const WINDOWS = 5;

  /** Window w of the one series of the run, for each aggregate (version 1). */
  const SAMPLES: { readonly [S in AggregateStream]: (w: number) => ValueOf<S> } = {
    trafficByZone5m: (w) => sampleTrafficUpdate(1, w, 1, RUN_T0),
    mobilityIndex5m: (w) => sampleMobilityUpdate(w, 1, RUN_T0),
    transportByLine10m: (w) => sampleTransportUpdate(1, w, 1, RUN_T0),
    incidentsByZone15m: (w) => sampleIncidentsUpdate(1, 'HIGH', w, 1, RUN_T0),
    ticketsByPriority1m: (w) => sampleTicketsUpdate('URGENT', w, 1, RUN_T0),
  };
  const sample = (spec: AggregateSpec, w: number): Json =>
    (SAMPLES[spec.stream] as unknown as (w: number) => Json)(w);
  /** The run's windows route of an aggregate, from its spec, ids in lower case. */
  const windowsRoute = (spec: AggregateSpec): string =>
    `/${spec.route}${spec.seriesFields
      .map((f) => `/${spec.pathSegments[f]}/${String(sample(spec, 0)[f]).toLowerCase()}`)
      .join('')}/windows`;
  /** A documented route made concrete with the run's series (path parameters filled in). */
  const concrete = (path: string): string => {
    const spec = AGGREGATE_SPECS.find((s) => path.startsWith(`/${s.route}/`));
    return spec ? path.replace(/\{([^}]+)\}/g, (_, f: string) => String(sample(spec, 0)[f])) : path;
  };

  /** The document's path of an aggregate's windows route. */
  const windowsDocPath = (spec: AggregateSpec): string =>
    Object.keys(doc.paths).find((p) => p.startsWith(`/${spec.route}/`) && p.endsWith('/windows'))!;

  const get = async (path: string): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${api}${path}`);
    return { status: res.status, body: (await res.json()) as Json };
  };

  beforeAll(async () => {
    stores = await new TestStores().setUp();
    const config = loadConfig(sinkConfigSchema, {
      ...stores.env,
      POSTGRES_URL: stores.pgUrl,
      MONGO_DB: stores.name,
      AGGREGATION_SINK_GROUP_ID: uniqueName('sink-api-int'),
      AGGREGATION_SINK_HTTP_PORT: '0',
      AGGREGATION_SINK_METRICS_PORT: '0',
      KAFKA_CLIENT_ID: 'aggregation-sink-api-int',
      LOG_LEVEL: 'error',
    });
    const kafka = createKafka({ ...config.kafka, logLevel: 'nothing' });
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    sink = await startSink(config, { fromBeginning: false });
    api = `http://127.0.0.1:${((sink.app.getHttpServer() as Server).address() as AddressInfo).port}`;
    await waitForGroupMember(admin, config.sink.groupId);
    // the run's windows, produced like the Spark job does, then read until the sink stored them
    const serde = new AvroSerde(new SchemaRegistryClient(config.registry));
    for (const spec of AGGREGATE_SPECS) {
      const schemaId = await serde.register(subjectFor(spec.topic), schemaOf(spec.stream));
      const values = Array.from({ length: WINDOWS }, (_, w) => sample(spec, w));
      await producer.send({
        topic: spec.topic,
        messages: values.map((v) => ({
          key: keyFor(spec.stream, v as never),
          value: serde.encode(schemaId, v),
        })),
      });
    }
    for (const spec of AGGREGATE_SPECS) {
      await waitFor(
        async () => {
          const r = await stores.pool.query(
            `SELECT 1 FROM ${spec.table} WHERE window_start >= $1 AND window_start < $2`,
            [new Date(RUN_T0), new Date(RUN_T0 + WINDOWS * spec.windowMs)],
          );
          return r.rowCount === WINDOWS;
        },
        { timeoutMs: 60_000, what: `the sink to store the run's ${spec.name} windows` },
      );
    }
    doc = (await get('/openapi.json')).body as unknown as OpenAPIV3.Document;
  });

  afterAll(async () => {
    await sink?.close();
    await producer?.disconnect();
    await admin?.disconnect();
    await stores?.tearDown();
  });

  it('serves a valid OpenAPI document that describes every route the server has registered', async () => {
    await SwaggerParser.validate(structuredClone(doc) as never);
    const routes = servedRoutes(sink!.app);
    // two routes per aggregate spec, all GET
    expect(routes).toHaveLength(2 * AGGREGATE_SPECS.length);
    expect(documentationGaps(doc as never, routes)).toEqual([]);
    expect(Object.keys(doc.paths).sort()).toEqual([...new Set(routes.map((r) => r.path))].sort());
    const docs = await fetch(`${api}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui');
  });

  it("describes each aggregate's windows with the fields of its contract, limits and pagination", () => {
    const schemas = doc.components!.schemas as Record<string, OpenAPIV3.SchemaObject>;
    for (const spec of AGGREGATE_SPECS) {
      const path = windowsDocPath(spec);
      const op = doc.paths[path]?.get;
      expect(op).toBeDefined();
      const limit = op?.parameters?.find((p) => 'name' in p && p.name === 'limit') as
        OpenAPIV3.ParameterObject | undefined;
      expect(limit?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 5000 });
      expect(op?.description).toMatch(/next_from/);
      const page = (op?.responses['200'] as OpenAPIV3.ResponseObject).content?.['application/json']
        ?.schema as OpenAPIV3.ReferenceObject;
      const pageSchema = schemas[page.$ref.split('/').pop()!];
      expect(pageSchema.properties).toHaveProperty('next_from');
      const items = (pageSchema.properties!.windows as OpenAPIV3.ArraySchemaObject)
        .items as OpenAPIV3.ReferenceObject;
      const window = schemas[items.$ref.split('/').pop()!];
      expect(Object.keys(window.properties!)).toEqual(viewColumns(spec).map((c) => c.name));
    }
  });

  it.each([
    ['from[$gt]=1', 'from[$gt]'],
    ['from%5B%24gt%5D=1', 'from[$gt]'],
    ['limit[]=5', 'limit[]'],
    ['nope=1', 'nope'],
  ])('refuses ?%s on every route with a 400 naming %s', async (qs, parameter) => {
    const check = responseChecker(doc as never);
    for (const { path } of servedRoutes(sink!.app)) {
      const res = await get(`${concrete(path)}?${qs}`);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body.problems).toEqual([{ in: 'query', parameter, message: expect.any(String) }]);
      expect(check('get', path, 400, res.body)).toEqual([]);
    }
  });

  it.each([
    ['limit=1&limit=2', 'limit'],
    ['limit=0', 'limit'],
    ['limit=5001', 'limit'],
    ['limit=ten', 'limit'],
    ['from=yesterday', 'from'],
    ['from=2001-02-30', 'from'],
    ['to=', 'to'],
    ['from=2001-01-02&to=2001-01-01', 'to'],
  ])("refuses ?%s on every aggregate's windows route, naming %s", async (qs, parameter) => {
    for (const spec of AGGREGATE_SPECS) {
      const res = await get(`${windowsRoute(spec)}?${qs}`);
      expect({ route: spec.name, status: res.status }).toEqual({ route: spec.name, status: 400 });
      expect(res.body.problems).toEqual([{ in: 'query', parameter, message: expect.any(String) }]);
    }
  });

  it("reads every aggregate's windows page by page with next_from, each answer as documented", async () => {
    const check = responseChecker(doc as never);
    for (const spec of AGGREGATE_SPECS) {
      const docPath = windowsDocPath(spec);
      const to = new Date(RUN_T0 + WINDOWS * spec.windowMs).toISOString();
      const seen: string[] = [];
      let from: string | null = new Date(RUN_T0).toISOString();
      let pages = 0;
      while (from !== null && pages < 10) {
        const res = await get(
          `${windowsRoute(spec)}?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=2`,
        );
        expect(res.status).toBe(200);
        expect(check('get', docPath, 200, res.body)).toEqual([]);
        for (const f of spec.seriesFields) expect(res.body[f]).toBe(sample(spec, 0)[f]);
        const windows = res.body.windows as Json[];
        seen.push(...windows.map((w) => String(w.window_start)));
        from = res.body.next_from as string | null;
        pages++;
      }
      // 5 windows in pages of 2: 2, 2, 1 — every window once, oldest first, then no next page
      expect({ spec: spec.name, pages, seen }).toEqual({
        spec: spec.name,
        pages: 3,
        seen: Array.from({ length: WINDOWS }, (_, w) =>
          new Date(sample(spec, w).window_start as number).toISOString(),
        ),
      });
      // epoch milliseconds and a date-only bound mean the same instants
      const byMs = await get(`${windowsRoute(spec)}?from=${RUN_T0}&to=${RUN_T0 + spec.windowMs}`);
      expect((byMs.body.windows as Json[]).map((w) => w.window_start)).toEqual([seen[0]]);
    }
  });

  it('answers /latest of every aggregate as documented, and refuses any parameter there', async () => {
    const check = responseChecker(doc as never);
    for (const spec of AGGREGATE_SPECS) {
      const res = await get(`/${spec.route}/latest`);
      expect(res.status).toBe(200);
      expect(check('get', `/${spec.route}/latest`, 200, res.body)).toEqual([]);
      expect((await get(`/${spec.route}/latest?limit=1`)).status).toBe(400);
    }
    expect(Object.keys(AGGREGATES)).toHaveLength(AGGREGATE_SPECS.length);
  });
});
