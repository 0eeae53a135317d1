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
import type { ValueOf } from '@citypulse/contracts';
import type { AggregateSpec, AggregateStream } from '../aggregates/aggregate-spec';
import { AGGREGATE_SPECS } from '../aggregates/specs';
import type { StoredAggregate } from '../aggregates/stored-shapes';
import type { AggregateWindow } from '../aggregates/windows';
import { decideUpsert } from '../aggregates/upsert-decision';
import { EMPTY_RESULT, type WriteResult } from './write-result';

const DUPLICATE_KEY = 11000;

/**
 * Newest-wins writes into MongoDB (or FerretDB) using only query shapes that every store answers
 * from an index: an exact `_id` read, an insert, and an update filtered by exact `_id`. For each
 * window the stored version is read by `_id`, `decideUpsert` decides, new windows are inserted and
 * newer ones replace the stored fields by `_id`; replays and older updates write nothing. One
 * collection per aggregate (its spec's `collection`), every one written the same way.
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
  constructor(
    private readonly db: Db,
    private readonly specs: readonly AggregateSpec[] = AGGREGATE_SPECS,
  ) {}

  /** The collection of an aggregate: one document per key and window, `_id` = the Kafka key. */
  collection<S extends AggregateStream>(
    spec: AggregateSpec<S>,
  ): Collection<StoredAggregate<ValueOf<S>>> {
    return this.db.collection<StoredAggregate<ValueOf<S>>>(spec.collection);
  }

  /**
   * Creates the collections' indexes (the specs' `mongoIndexes`: a unique index over the key
   * fields); idempotent, run at start. The sink's own queries need none of them: they go by `_id`.
   */
  async ensureIndexes(): Promise<void> {
    for (const spec of this.specs) {
      for (const index of spec.mongoIndexes) {
        await this.db.collection(spec.collection).createIndex(
          { ...index.key },
          {
            name: index.name,
            ...(index.unique && { unique: true }),
          },
        );
      }
    }
  }

  upsert<S extends AggregateStream>(
    spec: AggregateSpec<S>,
    windows: readonly AggregateWindow<ValueOf<S>>[],
  ): Promise<WriteResult> {
    const now = new Date();
    return writeNewest(
      this.collection(spec),
      windows.map((w) => ({ id: w.key, updatedAt: w.updatedAt, doc: storedDoc(w, now) })),
    );
  }
}

/** The stored document of a window, without its `_id` (the window's key). */
export function storedDoc<V>(
  w: AggregateWindow<V>,
  writtenAt: Date,
): Omit<StoredAggregate<V>, '_id'> {
  const doc = { ...w.fields, written_at: writtenAt };
  // the same type; TypeScript does not see through Omit<> of a generic intersection
  return doc as unknown as Omit<StoredAggregate<V>, '_id'>;
}

/** `storedDoc`, under the name bench/sink-scaling.bench.js loads from dist/. */
export const trafficDoc = storedDoc;

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
