/**
 * The Grafana dashboards (deploy/grafana/dashboards) proven on live data: the live flow of
 * `make demo` (the four streams, the alerting service with a webhook receiver, both producers)
 * runs for a short while; the native Prometheus must scrape every service it started; then every
 * query of every panel of both dashboards, its template variables and Grafana's built-in
 * intervals substituted, is evaluated over the run against Prometheus' HTTP API, and a panel
 * that returns no series fails the test by name. The JSON itself is checked too (datasource uid,
 * panel ids, variables), and every citypulse_* metric the services export against the metric
 * catalog of libs/observability.
 *
 * The stack's ports are fixed: run it alone (make test runs the e2e specs one after another).
 */
import { catalogProblems } from '@citypulse/observability';
import { uniqueName, waitFor } from '@citypulse/testing';
import { MongoClient } from 'mongodb';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  builtins,
  dashboardProblems,
  emptyPanel,
  evaluatePanels,
  liveFlow,
  loadDashboards,
  panelsOf,
  Pipeline,
  PrometheusApi,
  provisionedDatasources,
  resolveVariables,
  startLiveProducers,
  type PanelResult,
  type ServiceName,
  WATERMARK,
} from '../src';
import { env, log, pgUrl } from './harness';

/**
 * How long the flow may take, once the producers run, until every panel has data: the Spark job's
 * first micro-batches are the slow part (seconds on a quiet machine, minutes on a busy one).
 */
const DATA_TIMEOUT_MS = 480_000;
const DAY_MS = 86_400_000;

/** A webhook receiver that refuses every fourth delivery (503), so failures are real ones. */
function startReceiver(): Promise<{ server: Server; url: string; got: () => number }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      res.writeHead(n % 4 === 0 ? 503 : 204).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
        got: () => n,
      }),
    ),
  );
}

describe('the Grafana dashboards on a live flow', () => {
  const dashboards = loadDashboards();
  const datasources = provisionedDatasources();
  const prom = new PrometheusApi(env.PROMETHEUS_URL);
  const id = uniqueName('dash').replace(/-/g, '_');
  const pgSchema = `e2e_${id}`;
  const mongoDb = `citypulse_e2e_${id}`.slice(0, 60);
  const tmp = mkdtempSync(join(tmpdir(), 'citypulse-dashboards-'));
  let pipeline: Pipeline | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  let flowStart = 0;
  let failed = false;

  beforeAll(async () => {
    const pg = new Client({ connectionString: pgUrl() });
    await pg.connect();
    await pg.query(`CREATE SCHEMA ${pgSchema}`);
    await pg.end();
    receiver = await startReceiver();
    pipeline = await Pipeline.start(
      liveFlow({
        runDir: join(tmp, 'logs'),
        env: {
          MONGO_DB: mongoDb,
          LAKE_DIR: join(tmp, 'lake'),
          CHECKPOINT_DIR: join(tmp, 'checkpoints'),
          POSTGRES_URL: pgUrl(pgSchema),
          ALERTING_WEBHOOK_URLS: receiver.url,
          ALERTING_WEBHOOK_SECRET: 'dashboards-e2e',
          ALERTING_WEBHOOK_MAX_ATTEMPTS: '3',
        },
        groupTag: id,
        // the windows query of each stream (Kafka and gold) without the bronze and silver lake
        // queries: a third of the Spark job's queries, every per-query panel still has its series
        sparkArgs: ['--trigger', '2 seconds', '--watermark', WATERMARK, '--outputs', 'gold,kafka'],
        log,
      }),
    );
    flowStart = Date.now();
    // a week ago at 06:00 UTC, the demo's first start: a morning rush, well in the past
    await startLiveProducers(
      pipeline,
      Math.floor(Date.now() / DAY_MS) * DAY_MS - 7 * DAY_MS + 6 * 3_600_000,
    );
  });

  afterEach(() => {
    const state = expect.getState();
    if (state.assertionCalls > state.numPassingAsserts) failed = true;
  });

  afterAll(async () => {
    await pipeline?.stop();
    receiver?.server.close();
    const mongo = new MongoClient(env.MONGO_URL);
    await mongo.connect();
    await mongo
      .db(mongoDb)
      .dropDatabase()
      .catch(() => undefined);
    await mongo.close();
    const pg = new Client({ connectionString: pgUrl() });
    await pg.connect();
    await pg.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
    await pg.end();
    if (failed) log(`kept the services' logs in ${join(tmp, 'logs')}`);
    else rmSync(tmp, { recursive: true, force: true });
  });

  it('are JSON Grafana provisions as they are: datasource uid, unique panel ids, every variable defined', () => {
    expect(dashboards.map((d) => d.file).sort()).toEqual([
      'deploy/grafana/dashboards/citypulse-city.json',
      'deploy/grafana/dashboards/citypulse-overview.json',
    ]);
    expect(dashboards.flatMap((d) => dashboardProblems(d, datasources.uids))).toEqual([]);
  });

  it('every service of the flow is scraped by the native Prometheus', async () => {
    const p = pipeline!;
    const ports = new Map<ServiceName, string>();
    const urls = p.urls;
    for (const name of p.processes.keys()) {
      const stream = p.streams.find((s) => name === `normalizer-${s}`);
      const url = stream
        ? urls.normalizerMetrics[stream]!
        : {
            'aggregation-sink': urls.sinkMetrics,
            spark: urls.sparkMetrics,
            'sensor-generator': urls.generatorMetrics,
            'ticket-producer': urls.ticketProducerMetrics,
            alerting: urls.alertingMetrics,
          }[name as string]!;
      ports.set(name, new URL(url).port);
    }
    const notUp = async () => {
      const targets = await prom.targets();
      return [...ports].filter(
        ([, port]) => !targets.some((t) => new URL(t.scrapeUrl).port === port && t.health === 'up'),
      );
    };
    await waitFor(async () => (await notUp()).length === 0, {
      timeoutMs: 60_000,
      intervalMs: 2_000,
      what: 'Prometheus to scrape every service',
    }).catch(() => undefined);
    const missing = await notUp();
    expect(
      missing.map(
        ([name, port]) =>
          `${name} (:${port}) has no target that is up in ${env.PROMETHEUS_URL}/targets`,
      ),
    ).toEqual([]);
  });

  it('every citypulse_* metric a service exports is in the metric catalog of libs/observability', async () => {
    const p = pipeline!;
    const urls = [
      ...Object.values(p.urls.normalizerMetrics),
      p.urls.sinkMetrics,
      p.urls.sparkMetrics,
      p.urls.generatorMetrics,
      p.urls.ticketProducerMetrics,
      p.urls.alertingMetrics,
    ];
    const problems: string[] = [];
    for (const url of urls) {
      const r = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
      problems.push(...catalogProblems(await r.text(), url));
    }
    expect(problems).toEqual([]);
  });

  it('every panel of both dashboards returns series from the live flow', async () => {
    let results: PanelResult[] = [];
    let variables: string[] = [];
    const evaluate = async () => {
      const range = { start: flowStart, end: Date.now() };
      const values = builtins(range, datasources.timeIntervalS);
      results = [];
      variables = [];
      for (const f of dashboards) {
        const vars = await resolveVariables(f.dashboard, prom, range, values);
        variables.push(
          ...vars
            .filter((v) => v.values.length === 0)
            .map((v) => `${f.file}: variable $${v.name} has no values`),
        );
        const all = { ...values, ...Object.fromEntries(vars.map((v) => [v.name, v.value])) };
        results.push(...(await evaluatePanels(f, prom, range, all)));
      }
      const empty = results.filter((r) => emptyPanel(r) !== undefined);
      const waiting = empty.map((r) => r.panel.title ?? '?');
      log(
        `${((Date.now() - flowStart) / 1000).toFixed(0)} s: ${results.length - empty.length} of ${results.length} panels have data` +
          (waiting.length > 0
            ? `; waiting for ${waiting.slice(0, 8).join(', ')}${waiting.length > 8 ? ', …' : ''}`
            : ''),
      );
      return empty.length === 0 && variables.length === 0;
    };
    await waitFor(evaluate, {
      timeoutMs: DATA_TIMEOUT_MS,
      intervalMs: 10_000,
      what: 'every panel to have data',
    }).catch(() => undefined);
    await evaluate(); // once more, outside waitFor: an error of the evaluation itself fails the test
    expect(pipeline!.crashed()).toEqual([]);
    const panels = dashboards.flatMap((f) => panelsOf(f.dashboard)).filter((p) => p.type !== 'row');
    expect(results.map((r) => r.panel.id)).toEqual(panels.map((p) => p.id));
    expect(variables).toEqual([]);
    expect(results.flatMap((r) => emptyPanel(r) ?? [])).toEqual([]);
    // the queries of a panel that has data but returned nothing themselves (only on faults: retries...)
    for (const r of results)
      for (const t of r.targets.filter((x) => x.series === 0))
        log(`note: ${r.dashboard} "${r.panel.title}" query ${t.refId} has no series: ${t.expr}`);
    log(
      `${results.length} panels, every one with data; webhook receiver got ${receiver!.got()} deliveries`,
    );
  });
});
