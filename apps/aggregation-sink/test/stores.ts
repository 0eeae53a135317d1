import { MongoClient, type Db } from 'mongodb';
import { Pool } from 'pg';
import { createPool, migrate } from '@citypulse/postgres';
import { stackEnv, uniqueName } from '@citypulse/testing';

/**
 * Real stores for a test: a PostgreSQL schema of its own (migrated) and a MongoDB database of its
 * own, both dropped in cleanup.
 */
export class TestStores {
  readonly env = stackEnv();
  readonly name = uniqueName('sink').replace(/-/g, '_');
  readonly mongoClient = new MongoClient(this.env.MONGO_URL, {
    serverSelectionTimeoutMS: 5_000,
  });
  readonly mongoDb: Db = this.mongoClient.db(this.name);
  readonly pgUrl: string;
  readonly pool: Pool;
  private readonly admin: Pool;

  constructor() {
    const base = this.env.POSTGRES_URL;
    this.admin = new Pool({ connectionString: base, max: 1 });
    const sep = base.includes('?') ? '&' : '?';
    this.pgUrl = `${base}${sep}options=${encodeURIComponent(`-c search_path=${this.name}`)}`;
    this.pool = createPool({ url: this.pgUrl, poolMax: 4 });
  }

  async setUp(): Promise<this> {
    await this.admin.query(`CREATE SCHEMA ${this.name}`);
    await migrate(this.pool, { seed: false });
    await this.mongoClient.connect();
    return this;
  }

  async tearDown(): Promise<void> {
    await this.mongoDb.dropDatabase().catch(() => undefined);
    await this.mongoClient.close();
    await this.pool.end();
    await this.admin.query(`DROP SCHEMA IF EXISTS ${this.name} CASCADE`);
    await this.admin.end();
  }
}

/** A port nothing listens on: connecting fails at once with ECONNREFUSED, like a database that is down. */
export const DEAD_PG_URL = 'postgres://citypulse:citypulse@127.0.0.1:1/citypulse';
export const DEAD_MONGO_URL = 'mongodb://127.0.0.1:1/';
