/**
 * `make demo` (scripts/demo.sh runs this after the build and `make up`): the traffic flow end to
 * end with the generator's clock sped up, and every few seconds what it is doing.
 *
 *   node e2e/dist/demo.js            until Ctrl-C, which stops every service cleanly
 *   DEMO_SECONDS=N node e2e/dist/demo.js
 *                                    N seconds of traffic, then exit 0 only if aggregates reached
 *                                    MongoDB and gold Parquet files exist under LAKE_DIR/gold
 *
 * Each run gets a folder data/demo/<time>/ with the services' logs, the lake and the checkpoints
 * (a Spark file sink's output belongs to one checkpoint, so they are kept together).
 */
import { repoRoot } from '@citypulse/testing';
import { MongoClient } from 'mongodb';
import { join, relative } from 'node:path';
import { baseEnv, required } from './env';
import { parquetFiles } from './lake';
import { Pipeline } from './pipeline';
import { keyFor, type TrafficZoneAggregate5m } from '@citypulse/contracts';
import { httpJson } from './http';
import { flowStatus, type FlowStatus } from './status';

const SPEEDUP = 60; // a 5-minute window closes every 5 s of wall time
const RATE = 200; // events/s
const FAULTS = [
  '--duplicates',
  '0.01',
  '--out-of-order',
  '0.02',
  '--late',
  '0.005',
  '--malformed',
  '0.005',
  '--broken-avro',
  '0.002',
  '--messy-ids',
  '0.02',
];
const EVERY_MS = 5_000;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number) => n.toFixed(1);
const hhmm = (iso: string) => iso.slice(0, 16).replace('T', ' ');

function render(
  s: FlowStatus,
  p: Pipeline,
  elapsedS: number,
  mongo: { url: string; db: string },
): string {
  const root = repoRoot();
  const lines: string[] = [];
  const sim = s.simulatedTime
    ? ` · simulated clock ${hhmm(new Date(s.simulatedTime).toISOString())} UTC (x${SPEEDUP})`
    : '';
  lines.push(
    `citypulse demo — running ${Math.floor(elapsedS / 60)}m${String(Math.floor(elapsedS % 60)).padStart(2, '0')}s${sim}`,
  );
  const reasons = [...s.rejectedByReason]
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${r} ${fmt(n)}`)
    .join(', ');
  lines.push(
    `events: produced ${fmt(s.produced)} · normalized ${fmt(s.normalized)} · rejected ${fmt(s.rejected)}${reasons ? ` (${reasons})` : ''}` +
      ` · DLQ ${fmt(s.dlq)} · duplicates dropped ${fmt(s.duplicatesDropped)} · Spark read ${fmt(s.sparkInput)}, late dropped ${fmt(s.sparkLate)}`,
  );
  lines.push('');
  if (s.zones.length === 0) {
    lines.push(
      'latest windows: none yet (the first 5-minute window reaches the sink a few seconds after Spark starts)',
    );
  } else {
    lines.push(
      'zone  name                  window (UTC)       avg km/h  min   max    flow  occ %  congestion  readings',
    );
    for (const z of s.zones) {
      lines.push(
        `${z.zone_id.padEnd(5)} ${(z.zone_name ?? '').slice(0, 20).padEnd(21)} ${hhmm(z.window_start).padEnd(18)} ` +
          `${f1(z.avg_speed_kmh).padStart(8)} ${f1(z.min_speed_kmh).padStart(5)} ${f1(z.max_speed_kmh).padStart(5)} ` +
          `${String(z.total_vehicle_flow).padStart(7)} ${f1(z.avg_occupancy_pct).padStart(6)} ${f1(z.congestion_score).padStart(11)} ${String(z.readings).padStart(9)}`,
      );
    }
  }
  lines.push('');
  lines.push(
    s.mobility
      ? `mobility index ${hhmm(s.mobility.window_start)}: ${f1(s.mobility.mobility_index)} ${s.mobility.category} ` +
          `(avg ${f1(s.mobility.avg_speed_kmh)} km/h, occupancy ${f1(s.mobility.avg_occupancy_pct)} %, ${s.mobility.zones} zones)`
      : 'mobility index: none yet',
  );
  lines.push('');
  lines.push(
    `where to look: Prometheus ${p.urls.prometheus} (e.g. rate(citypulse_records_produced_total[1m]))`,
  );
  lines.push(
    `               MongoDB ${mongo.url} db ${mongo.db}, collections traffic_aggregations, mobility_index`,
  );
  lines.push(
    `               REST ${p.urls.sinkApi}/traffic/latest · ${p.urls.sinkApi}/mobility/latest`,
  );
  lines.push(
    `               lake ${relative(root, p.lakeDir)}/{bronze,silver,gold} · logs ${relative(root, p.runDir)}/*.log`,
  );
  lines.push('Ctrl-C stops everything.');
  return lines.join('\n');
}

/**
 * How many zones' latest windows (as the sink's REST API reports them) are in MongoDB, written by
 * this run: looked up by their `_id` (the Kafka key), a lookup every store answers from an index,
 * so the check costs the same however many windows earlier runs left behind.
 */
async function mongoWindowsSince(
  url: string,
  db: string,
  sinkApi: string,
  since: Date,
): Promise<number> {
  const latest = await httpJson<{ windows: Array<{ zone_id: string; window_start: string }> }>(
    `${sinkApi}/traffic/latest`,
  );
  if (!latest?.windows.length) return 0;
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
  try {
    await client.connect();
    const col = client.db(db).collection<{ _id: string; written_at: Date }>('traffic_aggregations');
    let found = 0;
    for (const w of latest.windows) {
      // the key of the window, as the contracts spell it (zone_id|window_start millis)
      const value = { zone_id: w.zone_id, window_start: Date.parse(w.window_start) };
      const doc = await col.findOne({
        _id: keyFor('trafficByZone5m', value as TrafficZoneAggregate5m),
      });
      if (doc && doc.written_at >= since) found++;
    }
    return found;
  } finally {
    await client.close();
  }
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
    `citypulse demo: starting the traffic flow (logs, lake and checkpoints in ${relative(repoRoot(), runDir)})`,
  );
  const startP = Pipeline.start({
    runDir,
    env: { LAKE_DIR: join(runDir, 'lake'), CHECKPOINT_DIR: join(runDir, 'checkpoints') },
    sparkArgs: ['--trigger', '5 seconds', '--watermark', '2 minutes'],
    generatorArgs: [
      '--streams',
      'traffic',
      '--rate',
      String(RATE),
      '--speedup',
      String(SPEEDUP),
      ...FAULTS,
    ],
    freshTopics: true,
    log: (l) => console.log(`  ${l}`),
  });
  const first = await Promise.race([startP.then(() => 'started'), stopped]);
  if (first !== 'started') {
    console.log(`${first}: stopping what was started`);
    const p = await startP.catch(() => undefined);
    await p?.stop();
    return 130;
  }
  const p = await startP;
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
    const text = render(s, p, (Date.now() - t0) / 1000, mongo);
    process.stdout.write(tty ? `\x1b[2J\x1b[H${text}\n` : `\n${text}\n`);
    await Promise.race([new Promise((r) => setTimeout(r, EVERY_MS)), stopped]);
  }

  let code = 0;
  if (reason === 'stop') {
    // Bounded run: stop producing, give what is in flight a moment to land, then check.
    await p.processes.get('sensor-generator')?.stop(15_000);
    const deadline = Date.now() + 60_000;
    let docs = 0;
    let gold: string[] = [];
    for (;;) {
      docs = await mongoWindowsSince(mongo.url, mongo.db, p.urls.sinkApi, new Date(t0)).catch(
        () => 0,
      );
      gold = parquetFiles(join(p.lakeDir, 'gold'));
      if ((docs > 0 && gold.length > 0) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const missing = [
      ...(docs > 0
        ? []
        : [
            `no window of this run in MongoDB (${mongo.db}.traffic_aggregations, by the REST API's latest keys)`,
          ]),
      ...(gold.length > 0 ? [] : [`no gold Parquet files under ${join(p.lakeDir, 'gold')}`]),
    ];
    if (missing.length > 0) {
      console.error(`\ndemo FAILED after ${seconds} s: ${missing.join('; ')}. Logs: ${p.runDir}`);
      code = 1;
    } else {
      console.log(
        `\ndemo OK after ${seconds} s: the latest windows of ${docs} zones written to MongoDB ${mongo.db}.traffic_aggregations by this run, ${gold.length} gold Parquet files under ${relative(repoRoot(), join(p.lakeDir, 'gold'))}`,
      );
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
