import { MongoClient } from 'mongodb';
import { classifyError, TransientError } from '@citypulse/kafka';
import { createPool } from '@citypulse/postgres';
import { AggregateWriter, StoreRefusedError } from '../src/aggregates/aggregate-writer';
import type { ValueOf } from '@citypulse/contracts';
import type { AggregateSpec, AggregateStream } from '../src/aggregates/aggregate-spec';
import {
  sampleIncidentsUpdate,
  sampleTicketsUpdate,
  sampleTransportUpdate,
} from '../src/aggregates/samples';
import { INCIDENTS, MOBILITY, TICKETS, TRAFFIC, TRANSPORT } from '../src/aggregates/specs';
import { toTrafficWindow, toWindow } from '../src/aggregates/windows';
import { MongoAggregatesStore, writeNewest } from '../src/stores/mongo-aggregates.store';
import { PgAggregatesStore } from '../src/stores/pg-aggregates.store';
import { ReadRepository } from '../src/read-api/read.repository';
import { chunks, mobilityUpdate, shuffled, trafficUpdate } from './fixtures';
import { waitFor } from '@citypulse/testing';
import { DEAD_MONGO_URL, DEAD_PG_URL, TestStores } from './stores';

/** Both stores' content, without the write timestamps: what a reader of either store sees. */
async function snapshot(
  s: TestStores,
): Promise<{ pg: unknown[]; mongo: unknown[]; mobility: unknown[] }> {
  const pg = await s.pool.query(
    `SELECT zone_id, window_start, window_end, zone_name, avg_speed_kmh, min_speed_kmh, max_speed_kmh,
            total_vehicle_flow, avg_occupancy_pct, congestion_score, readings, updated_at, event_id
       FROM traffic_window_aggregates ORDER BY zone_id, window_start`,
  );
  const mongo = await s.mongoDb
    .collection('traffic_aggregations')
    .find({}, { projection: { written_at: 0 } })
    .sort({ _id: 1 })
    .toArray();
  const mobility = await s.mongoDb
    .collection('mobility_index')
    .find({}, { projection: { written_at: 0 } })
    .sort({ _id: 1 })
    .toArray();
  return { pg: pg.rows, mongo, mobility };
}

describe('AggregateWriter against real PostgreSQL and FerretDB/MongoDB', () => {
  let stores: TestStores;
  let mongoStore: MongoAggregatesStore;
  let writer: AggregateWriter;

  beforeEach(async () => {
    stores = await new TestStores().setUp();
    mongoStore = new MongoAggregatesStore(stores.mongoDb);
    await mongoStore.ensureIndexes();
    writer = new AggregateWriter(new PgAggregatesStore(stores.pool), mongoStore);
  });
  afterEach(async () => {
    await stores.tearDown();
  });

  // 12 zones x 4 windows x 3 versions, delivered out of order in batches of 25
  const updates = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].flatMap((z) =>
    [0, 1, 2, 3].flatMap((w) => [1, 2, 3].map((v) => trafficUpdate(z, w, v))),
  );

  it('keeps exactly one document/row per zone and window, holding the newest version', async () => {
    for (const batch of chunks(shuffled(updates), 25)) {
      await writer.writeTraffic(batch.map(toTrafficWindow));
    }
    const snap = await snapshot(stores);
    expect(snap.pg).toHaveLength(48);
    expect(snap.mongo).toHaveLength(48);
    for (const doc of snap.mongo as Array<Record<string, unknown>>) {
      expect(doc.readings).toBe(30); // version 3
      expect(doc._id).toBe(`${String(doc.zone_id)}|${(doc.window_start as Date).getTime()}`);
    }
    for (const row of snap.pg as Array<Record<string, unknown>>) expect(row.readings).toBe(30);
    // the two stores agree field by field
    const fromMongo = (snap.mongo as Array<Record<string, unknown>>).map((d) => ({
      zone_id: d.zone_id,
      window_start: d.window_start,
      total_vehicle_flow: d.total_vehicle_flow,
      updated_at: d.updated_at,
      event_id: d.event_id,
    }));
    const fromPg = (snap.pg as Array<Record<string, unknown>>).map((r) => ({
      zone_id: r.zone_id,
      window_start: r.window_start,
      total_vehicle_flow: r.total_vehicle_flow,
      updated_at: r.updated_at,
      event_id: r.event_id,
    }));
    expect(fromMongo).toEqual(fromPg);
  });

  it('changes nothing when the whole topic is replayed, twice, in any order', async () => {
    for (const batch of chunks(updates, 25)) await writer.writeTraffic(batch.map(toTrafficWindow));
    const before = await snapshot(stores);

    const reports = [];
    for (const order of [updates, [...updates].reverse(), shuffled(updates, 7)]) {
      for (const batch of chunks(order, 25))
        reports.push(await writer.writeTraffic(batch.map(toTrafficWindow)));
    }
    expect(await snapshot(stores)).toEqual(before);
    for (const r of reports) {
      expect(r.postgres.inserted + r.postgres.updated).toBe(0);
      expect(r.mongodb.inserted + r.mongodb.updated).toBe(0);
      expect(r.postgres.unchanged).toBe(r.distinct);
      expect(r.mongodb.unchanged).toBe(r.distinct);
    }
  });

  it('never lets an older update overwrite a newer one', async () => {
    const newer = trafficUpdate(1, 0, 5);
    const older = trafficUpdate(1, 0, 2);
    const first = await writer.writeTraffic([toTrafficWindow(newer)]);
    expect(first.postgres).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    expect(first.mongodb).toEqual({ inserted: 1, updated: 0, unchanged: 0 });

    const late = await writer.writeTraffic([toTrafficWindow(older)]);
    expect(late.postgres).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    expect(late.mongodb).toEqual({ inserted: 0, updated: 0, unchanged: 1 });

    const doc = await mongoStore.collection(TRAFFIC).findOne({ zone_id: 'Z01' });
    expect(doc?.event_id).toBe(newer.event_id);
    expect(doc?.total_vehicle_flow).toBe(newer.total_vehicle_flow);
    const { rows } = await stores.pool.query<{ event_id: string }>(
      'SELECT event_id FROM traffic_window_aggregates',
    );
    expect(rows).toEqual([{ event_id: newer.event_id }]);

    const newest = await writer.writeTraffic([toTrafficWindow(trafficUpdate(1, 0, 6))]);
    expect(newest.postgres).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    expect(newest.mongodb).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
  });

  it('updates 150 stored windows in one batch (FerretDB hangs on a bulk modifying 100 or more)', async () => {
    const v = (n: number) =>
      [1, 2, 3].flatMap((z) => Array.from({ length: 50 }, (_, w) => trafficUpdate(z, w, n)));
    await writer.writeTraffic(v(1).map(toTrafficWindow));
    const report = await writer.writeTraffic(v(2).map(toTrafficWindow));
    expect(report.mongodb).toEqual({ inserted: 0, updated: 150, unchanged: 0 });
    expect(report.postgres).toEqual({ inserted: 0, updated: 150, unchanged: 0 });
  }, 30_000);

  it('keeps the newest mobility index per window the same way', async () => {
    const all = [0, 1, 2].flatMap((w) => [1, 2, 3, 4].map((v) => mobilityUpdate(w, v)));
    for (const order of [shuffled(all), all, [...all].reverse()]) {
      await writer.write(
        MOBILITY,
        order.map((u) => toWindow(MOBILITY, u)),
      );
    }
    const docs = await mongoStore.collection(MOBILITY).find().sort({ window_start: 1 }).toArray();
    expect(docs.map((d) => d.mobility_index)).toEqual([64, 64, 64]);
    const { rows } = await stores.pool.query<{ mobility_index: number }>(
      'SELECT mobility_index FROM mobility_index ORDER BY window_start',
    );
    expect(rows.map((r) => r.mobility_index)).toEqual([64, 64, 64]);
  });

  it('enforces one document per zone and window in MongoDB with a unique index', async () => {
    const indexes = await mongoStore.collection(TRAFFIC).listIndexes().toArray();
    expect(indexes.find((i) => i.name === 'zone_window_unique')).toMatchObject({
      key: { zone_id: 1, window_start: 1 },
      unique: true,
    });
  });

  it('finds a window by an index, not a scan, on the native store as on MongoDB', async () => {
    const w = toTrafficWindow(trafficUpdate(1, 0, 1));
    await writer.writeTraffic([w]);
    // FerretDB explains with SQLite's plan ("SEARCH … USING INDEX" or "SCAN"), MongoDB with its
    // own stages. The stack's FerretDB indexes a new collection by _id within a second; a pooled
    // SQLite connection notices the new index at its next executed statement (an EXPLAIN alone
    // does not execute), hence the read before each explain.
    await waitFor(
      async () => {
        await mongoStore.collection(TRAFFIC).findOne({ _id: w.key });
        const plan = JSON.stringify(
          await mongoStore.collection(TRAFFIC).find({ _id: w.key }).explain(),
        );
        return /USING INDEX|IDHACK|IXSCAN|EXPRESS_IXSCAN|CLUSTERED_IXSCAN/.test(plan)
          ? plan
          : undefined;
      },
      { timeoutMs: 10_000, what: 'an index lookup by _id in the plan' },
    );
  });

  it('throws StoreRefusedError, not a retriable error, when PostgreSQL refuses the data itself', async () => {
    // toWindow refuses a NUL in text; a window made around it is what a check nobody wrote lets by
    const good = toTrafficWindow(trafficUpdate(1, 0, 1));
    const poisoned = toTrafficWindow(trafficUpdate(2, 0, 1));
    const nul = { ...poisoned, fields: { ...poisoned.fields, zone_name: 'Old\u0000Town' } };
    const err: unknown = await writer.writeTraffic([good, nul]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreRefusedError);
    expect(classifyError(err)).not.toBe('retry');
    expect((err as Error).message).toMatch(
      new RegExp(`^PostgreSQL refused 2 ${TRAFFIC.name} windows \\(postgres: .*0x00\\)$`),
    );
    // alone, the good window is written (what the consumer does next)
    const alone = await writer.writeTraffic([good]);
    expect(alone.postgres.inserted).toBe(1);
  });

  describe('when a database is down', () => {
    it('fails the batch with a retriable error, and the retry after recovery loses and doubles nothing', async () => {
      const deadPool = createPool({ url: DEAD_PG_URL, connectionTimeoutMs: 1_000 });
      const broken = new AggregateWriter(new PgAggregatesStore(deadPool), mongoStore);
      const batch = updates.slice(0, 30).map(toTrafficWindow);

      const err: unknown = await broken.writeTraffic(batch).then(
        () => undefined,
        (e: unknown) => e,
      );
      await deadPool.end();
      expect(err).toBeInstanceOf(TransientError);
      expect(classifyError(err)).toBe('retry');
      expect((err as Error).message).toMatch(/postgres: .*ECONNREFUSED/);

      // MongoDB took the batch meanwhile; the retry (what the consumer does) completes PostgreSQL
      const retry = await writer.writeTraffic(batch);
      expect(retry.postgres.inserted).toBe(retry.distinct);
      expect(retry.mongodb.inserted + retry.mongodb.updated).toBe(0);
      const snap = await snapshot(stores);
      expect(snap.pg).toHaveLength(retry.distinct);
      expect(snap.mongo).toHaveLength(retry.distinct);
    });

    it('treats an unreachable MongoDB as retriable too', async () => {
      const dead = new MongoClient(DEAD_MONGO_URL, { serverSelectionTimeoutMS: 500 });
      const broken = new AggregateWriter(
        new PgAggregatesStore(stores.pool),
        new MongoAggregatesStore(dead.db('x')),
      );
      const err: unknown = await broken
        .writeTraffic([toTrafficWindow(trafficUpdate(1, 0, 1))])
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      await dead.close();
      expect(err).toBeInstanceOf(TransientError);
      expect((err as Error).message).toMatch(/mongodb: MongoServerSelectionError/);
    });
  });
});

describe('writeNewest when another writer got there between the read and the write', () => {
  let stores: TestStores;
  beforeEach(async () => {
    stores = await new TestStores().setUp();
  });
  afterEach(async () => {
    await stores.tearDown();
  });

  interface Doc {
    _id: string;
    updated_at: Date;
    v: number;
  }
  const item = (id: string, v: number) => ({
    id,
    updatedAt: new Date(v),
    doc: { updated_at: new Date(v), v },
  });

  it('settles by version when windows read as absent were inserted meanwhile, and writes the rest', async () => {
    const col = stores.mongoDb.collection<Doc>('race');
    await col.insertOne({ _id: 'a', updated_at: new Date(5), v: 5 });
    await col.insertOne({ _id: 'b', updated_at: new Date(1), v: 1 });
    // 'a' comes first: FerretDB stops an unordered insert at its first duplicate, so 'b' and 'c'
    // must be decided again, not dropped
    const result = await writeNewest(col, [item('a', 3), item('b', 4), item('c', 2)], {
      assumeAbsent: true,
    });
    expect(result).toEqual({ inserted: 1, updated: 1, unchanged: 1 });
    const docs = await col.find().sort({ _id: 1 }).toArray();
    expect(docs.map((d) => [d._id, d.v])).toEqual([
      ['a', 5],
      ['b', 4],
      ['c', 2],
    ]);
  });

  it('counts what it wrote once, when a collision makes it read its own writes back', async () => {
    const col = stores.mongoDb.collection<Doc>('race');
    await col.insertOne({ _id: 'k060', updated_at: new Date(1), v: 1 });
    // 120 new windows, one of them already stored: the chunk holding it collides, the re-read
    // finds this call's own inserts at their version (a replay) and writes only what is missing
    const ids = Array.from({ length: 120 }, (_, i) => `k${String(i).padStart(3, '0')}`);
    const result = await writeNewest(
      col,
      ids.map((id) => item(id, 2)),
      { assumeAbsent: true },
    );
    expect(result).toEqual({ inserted: 119, updated: 1, unchanged: 0 });
    expect(await col.countDocuments({ v: 2 })).toBe(120);
  });
});

/**
 * The aggregates added on the spec (transport, incidents, tickets): the same guarantees as
 * traffic's above, through the same generic code, and the REST API's queries on their tables.
 */
interface StreamCase {
  spec: AggregateSpec;
  /** the update of series `s` (0-based), window `w`, version `v` */
  update(s: number, w: number, v: number): ValueOf<AggregateStream>;
  series: number;
  /** a figure that tells which version a store kept */
  figure: string;
  at(v: number): number;
}

const SEVERITIES = ['LOW', 'CRITICAL'] as const;
const PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const;
const STREAM_CASES: StreamCase[] = [
  {
    spec: TRANSPORT,
    update: (s, w, v) => sampleTransportUpdate(s + 1, w, v),
    series: 6,
    figure: 'readings',
    at: (v) => 10 * v,
  },
  {
    // zones 1-3 x two severities: series that share a zone exercise the compound key
    spec: INCIDENTS,
    update: (s, w, v) => sampleIncidentsUpdate(1 + Math.floor(s / 2), SEVERITIES[s % 2], w, v),
    series: 6,
    figure: 'incident_count',
    at: (v) => v,
  },
  {
    spec: TICKETS,
    update: (s, w, v) => sampleTicketsUpdate(PRIORITIES[s], w, v),
    series: 4,
    figure: 'ticket_count',
    at: (v) => 5 * v,
  },
];

describe.each(STREAM_CASES.map((c) => [c.spec.name, c] as const))(
  '%s against real PostgreSQL and FerretDB/MongoDB',
  (_, c) => {
    let stores: TestStores;
    let mongoStore: MongoAggregatesStore;
    let writer: AggregateWriter;
    const { spec } = c;
    const WINDOWS = 4;
    const VERSIONS = 3;
    const updates = Array.from({ length: c.series }, (_s, s) =>
      Array.from({ length: WINDOWS }, (_w, w) =>
        Array.from({ length: VERSIONS }, (_v, v) => c.update(s, w, v + 1)),
      ),
    ).flat(2);
    const windows = (list: readonly ValueOf<AggregateStream>[]) =>
      list.map((u) => toWindow(spec, u));

    beforeEach(async () => {
      stores = await new TestStores().setUp();
      mongoStore = new MongoAggregatesStore(stores.mongoDb);
      await mongoStore.ensureIndexes();
      writer = new AggregateWriter(new PgAggregatesStore(stores.pool), mongoStore);
    });
    afterEach(async () => {
      await stores.tearDown();
    });

    /** Both stores' windows as plain objects of the contract's fields, in `_id` order. */
    async function snapshot(): Promise<{ pg: Record<string, unknown>[]; mongo: unknown[] }> {
      const cols = spec.columns.map((col) => `"${col.name}"`).join(', ');
      const { rows } = await stores.pool.query<Record<string, unknown>>(
        `SELECT ${cols} FROM ${spec.table}`,
      );
      const keyOf = (r: Record<string, unknown>) =>
        spec.keyFields
          .map((f) => {
            const v = r[f];
            return v instanceof Date ? String(v.getTime()) : String(v);
          })
          .join('|');
      const byId = (a: { _id: unknown }, b: { _id: unknown }) =>
        String(a._id) < String(b._id) ? -1 : String(a._id) > String(b._id) ? 1 : 0;
      const pg = rows.map((r) => ({ _id: keyOf(r), ...r })).sort(byId);
      const mongo = (
        await stores.mongoDb
          .collection(spec.collection)
          .find({}, { projection: { written_at: 0 } })
          .toArray()
      ).sort(byId);
      return { pg, mongo };
    }

    it('keeps exactly one document/row per key and window, holding the newest version, equal in both stores', async () => {
      for (const batch of chunks(shuffled(updates), 25)) await writer.write(spec, windows(batch));
      const snap = await snapshot();
      const expected = c.series * WINDOWS;
      expect(snap.pg).toHaveLength(expected);
      expect(snap.mongo).toHaveLength(expected);
      for (const row of snap.pg) expect(row[c.figure]).toBe(c.at(VERSIONS));
      // the two stores agree field for field (the PostgreSQL row keyed like its document)
      expect(snap.mongo).toEqual(snap.pg);
    });

    it('changes nothing when everything is replayed, in any order', async () => {
      for (const batch of chunks(updates, 25)) await writer.write(spec, windows(batch));
      const before = await snapshot();
      for (const order of [updates, [...updates].reverse(), shuffled(updates, 7)]) {
        for (const batch of chunks(order, 25)) {
          const r = await writer.write(spec, windows(batch));
          expect(r.postgres).toEqual({ inserted: 0, updated: 0, unchanged: r.distinct });
          expect(r.mongodb).toEqual({ inserted: 0, updated: 0, unchanged: r.distinct });
        }
      }
      expect(await snapshot()).toEqual(before);
    });

    it('never lets an older update overwrite a newer one', async () => {
      const newer = c.update(0, 0, 5);
      const first = await writer.write(spec, windows([newer]));
      expect(first.postgres).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
      expect(first.mongodb).toEqual({ inserted: 1, updated: 0, unchanged: 0 });

      const late = await writer.write(spec, windows([c.update(0, 0, 2)]));
      expect(late.postgres).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
      expect(late.mongodb).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
      const snap = await snapshot();
      expect(snap.pg.map((r) => [r.event_id, r[c.figure]])).toEqual([[newer.event_id, c.at(5)]]);
      expect(snap.mongo).toEqual(snap.pg);

      const newest = await writer.write(spec, windows([c.update(0, 0, 6)]));
      expect(newest.postgres).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
      expect(newest.mongodb).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    });

    it('enforces one document per key and window in MongoDB with a unique index', async () => {
      const indexes = await mongoStore.collection(spec).listIndexes().toArray();
      expect(indexes.find((i) => i.name === 'key_unique')).toMatchObject({
        key: Object.fromEntries(spec.keyFields.map((f) => [f, 1])),
        unique: true,
      });
    });

    it('finds a window by an index, not a scan, on the native store as on MongoDB', async () => {
      const w = toWindow(spec, c.update(0, 0, 1));
      await writer.write(spec, [w]);
      // as for traffic above: the stack's FerretDB indexes a new collection by _id within a second
      await waitFor(
        async () => {
          await mongoStore.collection(spec).findOne({ _id: w.key });
          const plan = JSON.stringify(
            await mongoStore.collection(spec).find({ _id: w.key }).explain(),
          );
          return /USING INDEX|IDHACK|IXSCAN|EXPRESS_IXSCAN|CLUSTERED_IXSCAN/.test(plan)
            ? plan
            : undefined;
        },
        { timeoutMs: 10_000, what: `an index lookup by _id in the plan (${spec.collection})` },
      );
    });

    it('serves the latest window of every series, and one series range, from PostgreSQL', async () => {
      const seriesOf = (u: object): string =>
        spec.seriesFields.map((f) => String((u as Record<string, unknown>)[f])).join('|');
      const startOf = (s: number, w: number): string =>
        new Date(c.update(s, w, 1).window_start).toISOString();
      // every series has windows 0-3 but the first, which has windows 0-1 only
      const first = seriesOf(c.update(0, 0, 1));
      const stored = updates.filter(
        (u) => seriesOf(u) !== first || u.window_start < c.update(0, 2, 1).window_start,
      );
      await writer.write(spec, windows(stored));
      const reads = new ReadRepository(stores.pool);

      const latest = await reads.latest(spec);
      expect(latest.map(seriesOf).sort()).toEqual(
        Array.from({ length: c.series }, (_s, s) => seriesOf(c.update(s, 0, 1))).sort(),
      );
      for (const w of latest) {
        expect(w.window_start).toBe(
          seriesOf(w) === first ? startOf(0, 1) : startOf(1, WINDOWS - 1),
        );
        expect((w as Record<string, unknown>)[c.figure]).toBe(c.at(VERSIONS));
        expect(w).not.toHaveProperty('event_id');
      }

      const second = c.update(1, 0, 1) as unknown as Record<string, unknown>;
      const page = (from: Date, limit: number) =>
        reads.windows(spec, {
          series: Object.fromEntries(spec.seriesFields.map((f) => [f, String(second[f])])),
          range: { from, to: new Date(startOf(1, 3)), limit },
        });
      const range = await page(new Date(startOf(1, 1)), 10);
      expect(range.windows.map((w) => w.window_start)).toEqual([startOf(1, 1), startOf(1, 2)]);
      expect(range.windows.every((w) => seriesOf(w) === seriesOf(second))).toBe(true);
      expect(range.more).toBe(false);
      // a page of one: the range holds one more, which the next page (from + 1 ms) returns
      const onePage = await page(new Date(startOf(1, 1)), 1);
      expect(onePage.windows.map((w) => w.window_start)).toEqual([startOf(1, 1)]);
      expect(onePage.more).toBe(true);
      const next = await page(new Date(Date.parse(startOf(1, 1)) + 1), 1);
      expect(next.windows.map((w) => w.window_start)).toEqual([startOf(1, 2)]);
      expect(next.more).toBe(false);
    });
  },
);
