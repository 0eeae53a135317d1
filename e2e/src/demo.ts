/**
 * `make demo` (scripts/demo.sh runs this after the build and `make up`): the four streams end to
 * end with the simulated clocks sped up, and every few seconds what each one is doing.
 *
 *   node e2e/dist/demo.js            until Ctrl-C, which stops every service cleanly
 *   DEMO_SECONDS=N node e2e/dist/demo.js
 *                                    N seconds, then exit 0 only if every aggregate of every stream
 *                                    reached MongoDB in this run and every gold table has Parquet files
 *
 * Each run gets a folder data/demo/<time>/ with the services' logs, the lake and the checkpoints
 * (a Spark file sink's output belongs to one checkpoint, so they are kept together).
 */
import { keyFor, type StreamName, type ValueOf } from '@citypulse/contracts';
import { repoRoot } from '@citypulse/testing';
import { MongoClient } from 'mongodb';
import { join, relative } from 'node:path';
import { baseEnv, required } from './env';
import { committedParquetRows } from './lake';
import { Pipeline } from './pipeline';
import {
  flowStatus,
  latestWindows,
  type FlowStatus,
  type RestWindow,
  type StreamStatus,
} from './status';
import { liveFlow, SPEEDUP, startLiveProducers } from './live-flow';
import { ALL_AGGREGATES, FLOW_STREAMS, type FlowAggregate } from './streams';

/** After the producers stop, how long a bounded run waits for Spark to catch up before failing. */
const CATCH_UP_MS = 300_000;
const EVERY_MS = 5_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MAX_ROWS = 8; // per table: the newest windows first

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const hhmm = (iso: string) => iso.slice(0, 16).replace('T', ' ');

interface Column {
  header: string;
  width: number;
  cell: (w: RestWindow) => string;
}
const text = (field: string, header = field, width = header.length): Column => ({
  header,
  width,
  cell: (w) => {
    const v = w[field];
    return (typeof v === 'string' || typeof v === 'number' ? String(v) : '').slice(0, width);
  },
});
const num = (field: string, header: string, digits = 1): Column => ({
  header,
  width: Math.max(header.length, 7),
  cell: (w) => {
    const v = w[field];
    return typeof v === 'number' ? v.toFixed(digits) : '';
  },
});

/** What the demo shows of each aggregate's latest windows (its key, then its figures). */
const COLUMNS: Record<string, Column[]> = {
  traffic_zone_5m: [
    text('zone_id', 'zone', 5),
    text('zone_name', 'name', 20),
    num('avg_speed_kmh', 'avg km/h'),
    num('min_speed_kmh', 'min'),
    num('max_speed_kmh', 'max'),
    num('total_vehicle_flow', 'flow', 0),
    num('avg_occupancy_pct', 'occ %'),
    num('congestion_score', 'congestion'),
    num('readings', 'readings', 0),
  ],
  mobility_index_5m: [
    num('mobility_index', 'index'),
    text('category', 'category', 10),
    num('avg_speed_kmh', 'avg km/h'),
    num('avg_occupancy_pct', 'occ %'),
    num('zones', 'zones', 0),
    num('readings', 'readings', 0),
  ],
  transport_line_10m: [
    text('line_id', 'line', 5),
    text('line_name', 'name', 26),
    num('avg_delay_seconds', 'delay s'),
    num('avg_occupancy_pct', 'occ %'),
    num('active_vehicles', 'vehicles', 0),
    num('total_passengers', 'passengers', 0),
    num('punctuality_score', 'punctual %'),
    num('crowded_vehicles', 'crowded', 0),
  ],
  incidents_zone_15m: [
    text('zone_id', 'zone', 5),
    text('zone_name', 'name', 20),
    text('severity', 'severity', 9),
    num('incident_count', 'incidents', 0),
    text('alert_level', 'alert', 6),
  ],
  tickets_priority_1m: [text('priority', 'priority', 9), num('ticket_count', 'tickets', 0)],
};

/** The windows of this run's simulated time (the stores may hold older runs' too). */
const ofThisRun = (windows: RestWindow[], simStart: number) =>
  windows.filter((w) => Date.parse(w.window_start) >= simStart);

function table(a: FlowAggregate, all: RestWindow[], simStart: number): string[] {
  const windows = ofThisRun(all, simStart);
  if (windows.length === 0) return [`  ${a.route}: no window of this run yet`];
  const cols: Column[] = [
    { header: 'window (UTC)', width: 16, cell: (w) => hhmm(w.window_start) },
    ...(COLUMNS[a.spark] ?? []),
  ];
  const newest = [...windows].sort((x, y) => y.window_start.localeCompare(x.window_start));
  const line = (cells: string[]) =>
    '  ' +
    cells.map((c, i) => (i === 0 ? c.padEnd(cols[i].width) : c.padStart(cols[i].width))).join('  ');
  const out = [`  ${a.route}`, line(cols.map((c) => c.header))];
  for (const w of newest.slice(0, MAX_ROWS)) out.push(line(cols.map((c) => c.cell(w))));
  if (newest.length > MAX_ROWS) out.push(`  … ${newest.length - MAX_ROWS} more series`);
  return out;
}

function counts(s: StreamStatus): string {
  const reasons = [...s.rejectedByReason]
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${r} ${fmt(n)}`)
    .join(', ');
  return (
    `produced ${fmt(s.produced)} · normalized ${fmt(s.normalized)} · rejected ${fmt(s.rejected)}` +
    `${reasons ? ` (${reasons})` : ''} · DLQ ${fmt(s.dlq)} · duplicates dropped ${fmt(s.duplicatesDropped)}` +
    ` · late dropped by Spark ${fmt(s.sparkLate)}`
  );
}

/** The alerting service's open alerts (GET /alerts/open), as a few lines: per rule, then the newest. */
async function openAlerts(p: Pipeline): Promise<string[]> {
  let open: { rule: string; message: string; fired_at: string }[];
  try {
    const r = await fetch(`${p.urls.alertingApi}/alerts/open`, {
      signal: AbortSignal.timeout(3000),
    });
    if (!r.ok) return [`OPEN ALERTS: the alerting API answered ${r.status}`];
    open = (await r.json()) as typeof open;
  } catch (e) {
    return [`OPEN ALERTS: the alerting API did not answer (${(e as Error).message})`];
  }
  const byRule = new Map<string, number>();
  for (const a of open) byRule.set(a.rule, (byRule.get(a.rule) ?? 0) + 1);
  const rules = [...byRule].map(([r, n]) => `${r} ${fmt(n)}`).join(', ');
  const newest = [...open].sort((a, b) => b.fired_at.localeCompare(a.fired_at)).slice(0, 3);
  return [
    `OPEN ALERTS: ${fmt(open.length)}${rules ? ` (${rules})` : ''}`,
    ...newest.map((a) => `  ${a.fired_at.slice(0, 16).replace('T', ' ')}  ${a.message}`),
  ];
}

function render(
  s: FlowStatus,
  p: Pipeline,
  elapsedS: number,
  mongo: { url: string; db: string },
  simStart: number,
  alerts: string[],
): string {
  const root = repoRoot();
  const lines: string[] = [];
  const sim = s.simulatedTime
    ? ` · simulated clock ${hhmm(new Date(s.simulatedTime).toISOString())} UTC (x${SPEEDUP})`
    : '';
  lines.push(
    `citypulse demo — running ${Math.floor(elapsedS / 60)}m${String(Math.floor(elapsedS % 60)).padStart(2, '0')}s${sim}`,
  );
  for (const st of s.streams) {
    lines.push('', `${st.stream.toUpperCase()}: ${counts(st)}`);
    for (const { aggregate, windows } of st.latest)
      lines.push(...table(aggregate, windows, simStart));
  }
  lines.push('', ...alerts, '');
  lines.push(
    `where to look: Prometheus ${p.urls.prometheus} (e.g. rate(citypulse_records_produced_total[1m]))`,
  );
  lines.push(
    `               MongoDB ${mongo.url} db ${mongo.db}, collections ${ALL_AGGREGATES.map((a) => a.collection).join(', ')}`,
  );
  lines.push(
    `               REST ${ALL_AGGREGATES.map((a) => `${p.urls.sinkApi}/${a.route}/latest`).join(' · ')}`,
  );
  lines.push(`               alerts ${p.urls.alertingApi}/alerts/open · /alerts/history`);
  lines.push(
    `               lake ${relative(root, p.lakeDir)}/{bronze,silver,gold} · logs ${relative(root, p.runDir)}/*.log`,
  );
  lines.push('Ctrl-C stops everything.');
  return lines.join('\n');
}

/**
 * How many of an aggregate's latest windows (as the sink's REST API reports them) are in MongoDB,
 * written by this run: looked up by their `_id` (the Kafka key), a lookup every store answers
 * from an index, so the check costs the same however many windows earlier runs left behind.
 */
async function mongoWindowsSince(
  client: MongoClient,
  db: string,
  sinkApi: string,
  a: FlowAggregate,
  since: Date,
  simStart: number,
): Promise<number> {
  const col = client.db(db).collection<{ _id: string; written_at: Date }>(a.collection);
  let found = 0;
  for (const w of ofThisRun(await latestWindows(sinkApi, a), simStart)) {
    // the key of the window, as the contracts spell it (key fields, window_start as millis)
    const value = { ...w, window_start: Date.parse(w.window_start) };
    const doc = await col.findOne({
      _id: keyFor(a.contract, value as unknown as ValueOf<StreamName>),
    });
    if (doc && doc.written_at >= since) found++;
  }
  return found;
}

/** What is missing for the bounded demo to pass: per aggregate, a window in MongoDB and gold files. */
async function missing(
  p: Pipeline,
  mongo: { url: string; db: string },
  since: Date,
  simStart: number,
): Promise<{ missing: string[]; found: string[] }> {
  const client = new MongoClient(mongo.url, { serverSelectionTimeoutMS: 5_000 });
  const out = { missing: [] as string[], found: [] as string[] };
  try {
    await client.connect();
    for (const a of ALL_AGGREGATES) {
      const docs = await mongoWindowsSince(
        client,
        mongo.db,
        p.urls.sinkApi,
        a,
        since,
        simStart,
      ).catch(() => 0);
      const gold = await committedParquetRows(join(p.lakeDir, 'gold', a.spark));
      if (docs === 0)
        out.missing.push(`no ${a.route} window of this run in MongoDB ${mongo.db}.${a.collection}`);
      if (gold === 0) out.missing.push(`no gold rows under ${join(p.lakeDir, 'gold', a.spark)}`);
      if (docs > 0 && gold > 0)
        out.found.push(`${a.route}: ${docs} series in MongoDB, ${gold} final windows in gold`);
    }
  } finally {
    await client.close();
  }
  return out;
}

/**
 * Where this run's simulated clocks start: an hour after the newest window earlier runs left in
 * the stores, so that the latest windows the REST API reports are this run's; a week ago at 06:00
 * UTC (the producers' own default when sped up) when there is none, or when that would come
 * nearer than a day to now (a record from the future is rejected).
 */
async function simulatedStart(p: Pipeline): Promise<number> {
  const weekAgo = Math.floor(Date.now() / DAY_MS) * DAY_MS - 7 * DAY_MS + 6 * HOUR_MS;
  let newest = 0;
  for (const a of ALL_AGGREGATES) {
    for (const w of await latestWindows(p.urls.sinkApi, a))
      newest = Math.max(newest, Date.parse(w.window_end));
  }
  const next = (Math.floor(newest / HOUR_MS) + 1) * HOUR_MS;
  return next > weekAgo && next < Date.now() - DAY_MS ? next : weekAgo;
}

/** The flow with its producers, their clocks started where simulatedStart says. */
async function startFlow(
  runDir: string,
  onStarted: (p: Pipeline) => void,
): Promise<{ p: Pipeline; simStart: number }> {
  const p = await Pipeline.start(
    liveFlow({
      runDir,
      env: { LAKE_DIR: join(runDir, 'lake'), CHECKPOINT_DIR: join(runDir, 'checkpoints') },
      log: (l) => console.log(`  ${l}`),
    }),
  );
  onStarted(p);
  const simStart = await simulatedStart(p);
  console.log(`  simulated clocks start at ${new Date(simStart).toISOString()} (x${SPEEDUP})`);
  await startLiveProducers(p, simStart);
  return { p, simStart };
}

async function main(): Promise<number> {
  const env = baseEnv();
  const seconds = env.DEMO_SECONDS ? Number(env.DEMO_SECONDS) : 0;
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new Error(`DEMO_SECONDS=${env.DEMO_SECONDS} is not a number of seconds`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const runDir = join(repoRoot(), 'data', 'demo', stamp);
  const mongo = { url: required(env, 'MONGO_URL'), db: required(env, 'MONGO_DB') };
  const tty = process.stdout.isTTY;

  let stop: (() => void) | undefined;
  const stopped = new Promise<string>((resolve) => {
    stop = () => resolve('stop');
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve(sig));
  });

  console.log(
    `citypulse demo: starting ${FLOW_STREAMS.join(', ')} (logs, lake and checkpoints in ${relative(repoRoot(), runDir)})`,
  );
  let pipeline: Pipeline | undefined;
  const startP = startFlow(runDir, (p) => (pipeline = p)).catch(async (e: unknown) => {
    await pipeline?.stop();
    throw e;
  });
  const first = await Promise.race([startP.then(() => 'started'), stopped]);
  if (first !== 'started') {
    console.log(`${first}: stopping what was started`);
    await startP.catch(() => undefined);
    await pipeline?.stop();
    return 130;
  }
  const { p, simStart } = await startP;
  const t0 = Date.now();
  if (seconds > 0) setTimeout(() => stop?.(), seconds * 1000).unref();

  let reason: string | undefined;
  void stopped.then((r) => (reason = r));
  while (reason === undefined) {
    const crashed = p.crashed();
    if (crashed.length > 0) {
      console.error(`\na service stopped unexpectedly: ${crashed.join('; ')}`);
      await p.stop();
      return 1;
    }
    const s = await flowStatus(p);
    const text = render(s, p, (Date.now() - t0) / 1000, mongo, simStart, await openAlerts(p));
    process.stdout.write(tty ? `\x1b[2J\x1b[H${text}\n` : `\n${text}\n`);
    await Promise.race([new Promise((r) => setTimeout(r, EVERY_MS)), stopped]);
  }

  let code = 0;
  if (reason === 'stop') {
    // Bounded run: stop producing, let Spark work off what is in flight (its micro-batches take
    // long on a busy machine), then check.
    await p.stopProducers();
    const deadline = Date.now() + CATCH_UP_MS;
    let check = await missing(p, mongo, new Date(t0), simStart);
    let told = 0;
    while (check.missing.length > 0 && Date.now() < deadline) {
      if (Date.now() - told >= 15_000) {
        told = Date.now();
        console.log(
          `waiting for Spark to catch up: ${check.missing.length} checks open (${check.missing[0]}, ...)`,
        );
      }
      await new Promise((r) => setTimeout(r, 2_000));
      check = await missing(p, mongo, new Date(t0), simStart);
    }
    if (check.missing.length > 0) {
      console.error(
        `\ndemo FAILED after ${seconds} s: ${check.missing.join('; ')}. Logs: ${p.runDir}`,
      );
      code = 1;
    } else {
      console.log(
        `\ndemo OK after ${seconds} s: every aggregate of the four streams reached MongoDB ${mongo.db} in this run and has gold Parquet under ${relative(repoRoot(), join(p.lakeDir, 'gold'))}:`,
      );
      for (const f of check.found) console.log(`  ${f}`);
    }
  } else {
    console.log(`\n${reason}: stopping the flow`);
  }
  await p.stop();
  console.log('every service of the flow stopped');
  return code;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`citypulse demo: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
