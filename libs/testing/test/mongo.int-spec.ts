// Integration test against the local stack's MongoDB-wire-compatible server (FerretDB on SQLite,
// deploy/local/services/ferretdb) with the official `mongodb` driver: what the aggregation sink
// relies on — idempotent upserts, reading back, and a unique index that refuses a duplicate.
import { MongoClient, MongoServerError } from 'mongodb';
import { stackEnv, uniqueName } from '../src';

const env = stackEnv();

interface ZoneWindow {
  zone: string;
  windowStart: Date;
  avgSpeed: number;
  readings: number;
  version: number;
}

describe('MongoDB-compatible server (FerretDB, local stack)', () => {
  let client: MongoClient;
  const collections: string[] = [];

  beforeAll(async () => {
    client = new MongoClient(env.MONGO_URL, { serverSelectionTimeoutMS: 10_000 });
    await client.connect();
  });

  afterAll(async () => {
    const db = client.db(env.MONGO_DB);
    await Promise.allSettled(collections.map((c) => db.dropCollection(c)));
    await client.close();
  });

  function freshCollection() {
    const name = uniqueName('int-mongo');
    collections.push(name);
    return client.db(env.MONGO_DB).collection<ZoneWindow>(name);
  }

  it('answers ping', async () => {
    const reply = await client.db('admin').command({ ping: 1 });
    expect(reply.ok).toBe(1);
  });

  it('upserts a document and reads it back; replaying the upsert changes nothing', async () => {
    const coll = freshCollection();
    const key = { zone: 'zone-01', windowStart: new Date('2026-01-01T08:00:00Z') };

    const first = await coll.updateOne(
      key,
      { $set: { avgSpeed: 42.5, readings: 10, version: 1 } },
      { upsert: true },
    );
    expect(first.upsertedCount).toBe(1);
    const second = await coll.updateOne(
      key,
      { $set: { avgSpeed: 38, readings: 12, version: 2 } },
      { upsert: true },
    );
    expect(second).toMatchObject({ matchedCount: 1, upsertedCount: 0 });
    const replay = await coll.updateOne(
      key,
      { $set: { avgSpeed: 38, readings: 12, version: 2 } },
      { upsert: true },
    );
    expect(replay).toMatchObject({ matchedCount: 1, upsertedCount: 0 });

    const docs = await coll.find(key).toArray();
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ zone: 'zone-01', avgSpeed: 38, readings: 12, version: 2 });
    expect(docs[0].windowStart.toISOString()).toBe('2026-01-01T08:00:00.000Z');
    expect(await coll.countDocuments()).toBe(1);
  });

  it('keeps a unique index: a second document with the same key is refused', async () => {
    const coll = freshCollection();
    await coll.createIndex({ zone: 1, windowStart: 1 }, { unique: true });
    const doc = {
      zone: 'zone-02',
      windowStart: new Date('2026-01-01T08:05:00Z'),
      avgSpeed: 50,
      readings: 3,
      version: 1,
    };
    await coll.insertOne({ ...doc });

    const duplicate = await coll.insertOne({ ...doc, version: 2 }).catch((e: unknown) => e);
    expect(duplicate).toBeInstanceOf(MongoServerError);
    expect((duplicate as MongoServerError).code).toBe(11000); // E11000 duplicate key
    expect(await coll.countDocuments()).toBe(1);
  });
});
