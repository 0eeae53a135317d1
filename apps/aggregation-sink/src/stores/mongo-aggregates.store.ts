import {
  MongoBulkWriteError,
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
import { decideUpsert } from '../aggregates/upsert-decision';
import { EMPTY_RESULT, type WriteResult } from './write-result';

export const TRAFFIC_COLLECTION = 'traffic_aggregations';
export const MOBILITY_COLLECTION = 'mobility_index';

/** A document of traffic_aggregations: one per zone and window, _id = the Kafka key. */
export type TrafficDoc = StoredAggregate<TrafficZoneAggregate5m>;

/** A document of mobility_index: one per window, _id = the Kafka key (window start, epoch ms). */
export type MobilityDoc = StoredAggregate<MobilityIndex5m>;

const DUPLICATE_KEY = 11000;

/**
 * Newest-wins writes into MongoDB (or FerretDB) using only query shapes that every store answers
 * from an index: an exact `_id` read, an insert, and an update filtered by exact `_id`. For each
 * window the stored version is read by `_id`, `decideUpsert` decides, new windows are inserted and
 * newer ones replace the stored fields by `_id`; replays and older updates write nothing.
 *
 * Why not the one-statement conditional upsert `updateOne({_id, updated_at: {$lt: v}}, ..., {upsert})`:
 * FerretDB 1.x (the native stack's store) pushes only a lone exact `_id` down to its backend;
 * that compound filter, `$in`, and every other shape read and filter the whole collection, so each
 * write cost grew with the collection (3.3 s per conditional update at 100,000 documents, measured;
 * apps/aggregation-sink/README.md has the table). With the shapes above, a window costs about the
 * same at 1,000 and at 1,000,000 documents (`make bench`, sink-scaling).
 *
 * Deciding in the application is safe because a window has one writer: its Kafka key (= `_id`)
 * puts all its updates on one partition, which one consumer of the group owns at a time. When a
 * write collides anyway (an insert finds the `_id` taken, an update finds it gone), the colliding
 * windows are read again and decided again, a few rounds at most, so a second writer's newer
 * version is never overwritten by an insert, and no window is lost. What this cannot stop is a
 * zombie: an instance that lost its partitions (session timeout) but still finishes a write it had
 * already decided; PostgreSQL's conditional upsert is immune to that, and the REST API reads it.
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
    return writeNewest(
      this.traffic,
      windows.map((w) => ({ id: w.key, updatedAt: w.updatedAt, doc: trafficDoc(w, now) })),
    );
  }

  upsertMobility(windows: readonly MobilityWindow[]): Promise<WriteResult> {
    const now = new Date();
    return writeNewest(
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

/** The stored document of a traffic window (without its `_id`, the window's key). */
export function trafficDoc(w: TrafficWindow, writtenAt: Date): Omit<TrafficDoc, '_id'> {
  return {
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
    written_at: writtenAt,
  };
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
/** Exact-`_id` reads in flight at once per batch. */
const READ_CONCURRENCY = 16;
/** Read-decide-write rounds for windows whose write collided with another writer's. */
const MAX_ROUNDS = 5;

type VersionedDoc = { _id: string; updated_at: Date };

/**
 * Writes each item unless the store holds the same or a newer version (see the class comment).
 * Exported for tests: `assumeAbsent` skips the first read and takes every window as new, to
 * exercise what happens when another writer inserted one between the read and the write.
 */
export async function writeNewest<D extends VersionedDoc>(
  collection: Collection<D>,
  items: readonly Item<D>[],
  opts: { assumeAbsent?: boolean } = {},
): Promise<WriteResult> {
  if (items.length === 0) return EMPTY_RESULT;
  let inserted = 0;
  let updated = 0;
  let pending: readonly Item<D>[] = items;
  for (let round = 0; pending.length > 0; round++) {
    if (round === MAX_ROUNDS) {
      throw new Error(
        `${pending.length} windows still collide with another writer after ${MAX_ROUNDS} rounds (${collection.collectionName})`,
      );
    }
    const stored =
      round === 0 && opts.assumeAbsent
        ? new Map<string, Date>()
        : await storedVersions(collection, pending);
    const fresh: Item<D>[] = [];
    const newer: Item<D>[] = [];
    for (const item of pending) {
      const decision = decideUpsert(stored.get(item.id), item.updatedAt);
      if (decision === 'insert') fresh.push(item);
      else if (decision === 'update') newer.push(item);
    }
    const collided: Item<D>[] = [];
    for (const chunk of chunks(fresh, MONGO_BULK_CHUNK)) {
      const r = await insertChunk(collection, chunk);
      inserted += r.written;
      if (r.collided) collided.push(...chunk);
    }
    for (const chunk of chunks(newer, MONGO_BULK_CHUNK)) {
      const r = await updateChunk(collection, chunk);
      updated += r.written;
      if (r.collided) collided.push(...chunk);
    }
    // Re-deciding a whole collided chunk is safe: what this round already wrote reads back at
    // its own version, a replay.
    pending = collided;
  }
  return { inserted, updated, unchanged: items.length - inserted - updated };
}

/** The stored version of each item's window, by exact `_id` reads (absent: not in the map). */
async function storedVersions<D extends VersionedDoc>(
  collection: Collection<D>,
  items: readonly Item<D>[],
): Promise<Map<string, Date>> {
  const stored = new Map<string, Date>();
  let next = 0;
  const reader = async (): Promise<void> => {
    while (next < items.length) {
      const id = items[next++].id;
      const doc = await collection.findOne({ _id: id } as Filter<D>, {
        projection: { updated_at: 1 },
      });
      if (doc) stored.set(id, doc.updated_at);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, items.length) }, reader));
  return stored;
}

interface ChunkResult {
  written: number;
  /** some window of the chunk met another writer's: read and decide the chunk again */
  collided: boolean;
}

/** Inserts windows read as absent. A duplicate `_id` means another writer got there first. */
async function insertChunk<D extends VersionedDoc>(
  collection: Collection<D>,
  chunk: Item<D>[],
): Promise<ChunkResult> {
  try {
    const docs = chunk.map(
      (i) => ({ ...i.doc, _id: i.id }) as unknown as OptionalUnlessRequiredId<D>,
    );
    const r = await collection.insertMany(docs, { ordered: false });
    return { written: r.insertedCount, collided: false };
  } catch (err) {
    if (!(err instanceof MongoBulkWriteError) || !onlyDuplicateKeys(err)) throw err;
    // MongoDB inserts the rest of an unordered bulk and reports them; FerretDB 1.x stops at the
    // first error. Either way the re-read tells which of the chunk are now stored.
    return { written: err.result.insertedCount, collided: true };
  }
}

/** Replaces the fields of windows read at an older version, by exact `_id`. */
async function updateChunk<D extends VersionedDoc>(
  collection: Collection<D>,
  chunk: Item<D>[],
): Promise<ChunkResult> {
  const r = await collection.bulkWrite(
    chunk.map((item): AnyBulkWriteOperation<D> => ({
      updateOne: {
        filter: { _id: item.id } as Filter<D>,
        update: { $set: item.doc } as UpdateFilter<D>,
      },
    })),
    { ordered: false },
  );
  // a window that vanished since the read (nothing deletes them, but a user may) is re-decided
  return { written: r.modifiedCount, collided: r.matchedCount < chunk.length };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function onlyDuplicateKeys(err: MongoBulkWriteError): boolean {
  const raw: WriteError | readonly WriteError[] = err.writeErrors;
  const errors: readonly WriteError[] = isList(raw) ? raw : [raw];
  return !err.writeConcernError && errors.every((e) => e.code === DUPLICATE_KEY);
}

function isList<T>(v: T | readonly T[]): v is readonly T[] {
  return Array.isArray(v);
}
