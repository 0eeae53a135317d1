import {
  MongoBulkWriteError,
  MongoServerError,
  type AnyBulkWriteOperation,
  type Collection,
  type Db,
  type Filter,
  type OptionalUnlessRequiredId,
  type UpdateFilter,
  type WriteError,
} from 'mongodb';
import type { MobilityIndex5m, TrafficZoneAggregate5m } from '@citypulse/contracts';
import type { StoredAggregate } from '../aggregates/stored-shapes';
import type { MobilityWindow, TrafficWindow } from '../aggregates/windows';
import { EMPTY_RESULT, type WriteResult } from './write-result';

export const TRAFFIC_COLLECTION = 'traffic_aggregations';
export const MOBILITY_COLLECTION = 'mobility_index';

/** A document of traffic_aggregations: one per zone and window, _id = the Kafka key. */
export type TrafficDoc = StoredAggregate<TrafficZoneAggregate5m>;

/** A document of mobility_index: one per window, _id = the Kafka key (window start, epoch ms). */
export type MobilityDoc = StoredAggregate<MobilityIndex5m>;

const DUPLICATE_KEY = 11000;

/**
 * Conditional upserts into MongoDB (or FerretDB): for each window,
 *   updateOne({ _id: key, updated_at: { $lt: incoming } }, { $set: doc }, { upsert: true })
 * When the stored document is as new or newer, the filter matches nothing, the upsert tries to
 * insert a second document with the same _id and the server refuses it with a duplicate-key
 * error: that refusal is the "leave it alone" outcome, not a failure. The _id is the Kafka key,
 * so uniqueness never depends on a secondary index; the unique {zone_id, window_start} index is
 * there as well, as the collection's contract for readers.
 *
 * A batch first reads the stored versions of its keys and only writes the windows that are newer
 * (a replay costs one read per batch), then writes those in unordered bulks of MONGO_BULK_CHUNK.
 * Two FerretDB 1.24 behaviours shape this (see conditionalUpserts): it ends an unordered bulk at
 * its first error (MongoDB carries on), which would silently drop the rest of the bulk, so on a
 * duplicate-key error the bulk is re-applied one operation at a time; and it hangs on a bulk that
 * modifies 100 or more documents, hence the chunk size.
 */
export class MongoAggregatesStore {
  readonly traffic: Collection<TrafficDoc>;
  readonly mobility: Collection<MobilityDoc>;

  constructor(db: Db) {
    this.traffic = db.collection<TrafficDoc>(TRAFFIC_COLLECTION);
    this.mobility = db.collection<MobilityDoc>(MOBILITY_COLLECTION);
  }

  /** Creates the collections' indexes; idempotent, run at start. */
  async ensureIndexes(): Promise<void> {
    await this.traffic.createIndex(
      { zone_id: 1, window_start: 1 },
      { unique: true, name: 'zone_window_unique' },
    );
    await this.traffic.createIndex({ window_start: -1 }, { name: 'window_start_desc' });
    await this.mobility.createIndex({ window_start: 1 }, { unique: true, name: 'window_unique' });
  }

  upsertTraffic(windows: readonly TrafficWindow[]): Promise<WriteResult> {
    const now = new Date();
    return conditionalUpserts(
      this.traffic,
      windows.map((w) => ({
        id: w.key,
        updatedAt: w.updatedAt,
        doc: {
          zone_id: w.zoneId,
          zone_name: w.zoneName,
          window_start: w.windowStart,
          window_end: w.windowEnd,
          avg_speed_kmh: w.avgSpeedKmh,
          min_speed_kmh: w.minSpeedKmh,
          max_speed_kmh: w.maxSpeedKmh,
          total_vehicle_flow: w.totalVehicleFlow,
          avg_occupancy_pct: w.avgOccupancyPct,
          congestion_score: w.congestionScore,
          readings: w.readings,
          updated_at: w.updatedAt,
          event_id: w.eventId,
          written_at: now,
        },
      })),
    );
  }

  upsertMobility(windows: readonly MobilityWindow[]): Promise<WriteResult> {
    const now = new Date();
    return conditionalUpserts(
      this.mobility,
      windows.map((w) => ({
        id: w.key,
        updatedAt: w.updatedAt,
        doc: {
          window_start: w.windowStart,
          window_end: w.windowEnd,
          avg_speed_kmh: w.avgSpeedKmh,
          avg_occupancy_pct: w.avgOccupancyPct,
          mobility_index: w.mobilityIndex,
          category: w.category,
          zones: w.zones,
          readings: w.readings,
          updated_at: w.updatedAt,
          event_id: w.eventId,
          written_at: now,
        },
      })),
    );
  }
}

export interface Item<D> {
  id: string;
  updatedAt: Date;
  doc: Omit<D, '_id'>;
}

/**
 * Operations per bulk write. FerretDB 1.24 (SQLite) hangs, never answering, on an update command
 * that modifies 100 or more existing documents (measured: 99 fine, 100 hangs); 50 keeps clear of
 * that and costs MongoDB next to nothing.
 */
export const MONGO_BULK_CHUNK = 50;
/** Ids per pre-read `$in`. */
const READ_CHUNK = 500;

/**
 * Exported for tests: `assume` skips the read of stored versions and takes every window as absent
 * (insert path) or present (conditional-upsert path), to exercise what happens when another
 * writer got there between the read and the write.
 */
export async function conditionalUpserts<D extends { _id: string; updated_at: Date }>(
  collection: Collection<D>,
  items: Item<D>[],
  opts: { assume?: 'absent' | 'present' } = {},
): Promise<WriteResult> {
  if (items.length === 0) return EMPTY_RESULT;
  // 1. Skip what the store already holds at this version or newer (every record of a replay)
  //    without writing: one read instead of a refused write per record.
  const storedAt = new Map<string, Date>();
  if (opts.assume === undefined) {
    for (const chunk of chunks(items, READ_CHUNK)) {
      const stored = await collection
        .find({ _id: { $in: chunk.map((i) => i.id) } } as Filter<D>, {
          projection: { updated_at: 1 },
        })
        .toArray();
      for (const d of stored) storedAt.set(String(d._id), d.updated_at);
    }
  }
  const fresh: Item<D>[] = [];
  const older: Item<D>[] = [];
  for (const item of items) {
    const at = storedAt.get(item.id);
    if (at === undefined && opts.assume !== 'present') fresh.push(item);
    else if (at === undefined || item.updatedAt.getTime() > at.getTime()) older.push(item);
  }
  // 2. Insert the windows the store has never seen (an upsert that inserts costs FerretDB a scan
  //    of the collection; an insert does not), and conditionally upsert the older ones.
  let inserted = 0;
  let updated = 0;
  for (const chunk of chunks(fresh, MONGO_BULK_CHUNK)) {
    const r = await insertChunk(collection, chunk);
    inserted += r.inserted;
    updated += r.updated;
  }
  for (const chunk of chunks(older, MONGO_BULK_CHUNK)) {
    const r = await writeChunk(collection, chunk);
    inserted += r.inserted;
    updated += r.updated;
  }
  // whatever was neither inserted nor updated was left alone
  return { inserted, updated, unchanged: items.length - inserted - updated };
}

/** Inserts windows read as absent; one that appeared meanwhile makes the chunk an upsert chunk. */
async function insertChunk<D extends { _id: string; updated_at: Date }>(
  collection: Collection<D>,
  chunk: Item<D>[],
): Promise<{ inserted: number; updated: number }> {
  try {
    const docs = chunk.map(
      (i) => ({ ...i.doc, _id: i.id }) as unknown as OptionalUnlessRequiredId<D>,
    );
    const r = await collection.insertMany(docs, { ordered: false });
    return { inserted: r.insertedCount, updated: 0 };
  } catch (err) {
    if (!(err instanceof MongoBulkWriteError) || !onlyDuplicateKeys(err)) throw err;
    // another writer got there first: settle each window by the version rule
    const settled = await writeChunk(collection, chunk, { skipBulk: true });
    return { inserted: err.result.insertedCount + settled.inserted, updated: settled.updated };
  }
}

async function writeChunk<D extends { _id: string; updated_at: Date }>(
  collection: Collection<D>,
  chunk: Item<D>[],
  opts: { skipBulk?: boolean } = {},
): Promise<{ inserted: number; updated: number }> {
  let inserted = 0;
  let updated = 0;
  if (!opts.skipBulk) {
    try {
      const r = await collection.bulkWrite(chunk.map(upsertOp), { ordered: false });
      return { inserted: r.upsertedCount, updated: r.modifiedCount };
    } catch (err) {
      if (!(err instanceof MongoBulkWriteError) || !onlyDuplicateKeys(err)) throw err;
      // A newer version landed between the read and the write (another instance, a rebalance).
      // MongoDB applies the other operations of an unordered bulk and reports them; FerretDB 1.x
      // stops the whole command at the first error. Either way each operation is idempotent, so
      // apply them one by one: the ones already done change nothing the second time.
      inserted = err.result.upsertedCount;
      updated = err.result.modifiedCount;
    }
  }
  for (const item of chunk) {
    try {
      const r = await collection.updateOne(...upsertArgs(item));
      inserted += r.upsertedCount;
      updated += r.modifiedCount;
    } catch (err) {
      if (!(err instanceof MongoServerError) || err.code !== DUPLICATE_KEY) throw err;
    }
  }
  return { inserted, updated };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The conditional upsert of one window: matches the document only while it is older than the
 * incoming version; otherwise the upsert collides with the existing _id (duplicate key), which
 * is the "keep the newer one" outcome.
 */
function upsertArgs<D extends { _id: string; updated_at: Date }>(
  item: Item<D>,
): [Filter<D>, UpdateFilter<D>, { upsert: true }] {
  return [
    { _id: item.id, updated_at: { $lt: item.updatedAt } } as Filter<D>,
    { $set: item.doc } as UpdateFilter<D>,
    { upsert: true },
  ];
}

function upsertOp<D extends { _id: string; updated_at: Date }>(
  item: Item<D>,
): AnyBulkWriteOperation<D> {
  const [filter, update, { upsert }] = upsertArgs(item);
  return { updateOne: { filter, update, upsert } };
}

function onlyDuplicateKeys(err: MongoBulkWriteError): boolean {
  const raw: WriteError | readonly WriteError[] = err.writeErrors;
  const errors: readonly WriteError[] = isList(raw) ? raw : [raw];
  return !err.writeConcernError && errors.every((e) => e.code === DUPLICATE_KEY);
}

function isList<T>(v: T | readonly T[]): v is readonly T[] {
  return Array.isArray(v);
}
