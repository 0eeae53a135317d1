import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { CityDefinition, loadCity } from './city';
import type { PgLogger } from './pool';
import { seedReferenceData, SeedResult } from './seed';

/** This package's migrations folder. */
export const MIGRATIONS_DIR = join(__dirname, '..', 'migrations');

/**
 * The advisory-lock key every migrator takes, so instances starting at once apply migrations one
 * after the other (the second finds nothing left to do). Any fixed bigint works; this is
 * "citypuls" as 8 ASCII bytes.
 */
export const MIGRATION_LOCK_KEY = '7163384747236093043';

export interface Migration {
  version: number;
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

const FILE_RE = /^(\d{4,})_([a-z0-9_]+)\.sql$/;

/** Reads NNNN_name.sql files, ordered by version; refuses duplicates and stray .sql names. */
export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.sql')) continue;
    const m = FILE_RE.exec(file);
    if (!m) throw new Error(`migration file ${file} is not named NNNN_snake_case_name.sql`);
    const sql = readFileSync(join(dir, file), 'utf8');
    migrations.push({
      version: Number(m[1]),
      name: m[2],
      file,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    const [prev, cur] = [migrations[i - 1], migrations[i]];
    if (prev.version === cur.version) {
      throw new Error(`migrations ${prev.file} and ${cur.file} share version ${cur.version}`);
    }
  }
  return migrations;
}

export interface MigrateOptions {
  /** the folder of .sql files (default: this package's migrations/) */
  dir?: string;
  /** reference data to upsert after migrating; `false` skips seeding (default: reference/city.json) */
  seed?: CityDefinition | false;
  logger?: PgLogger;
}

export interface MigrateResult {
  /** files applied by this call, in order */
  applied: string[];
  /** versions already present */
  alreadyApplied: number[];
  seed?: SeedResult;
}

/**
 * Applies pending migrations, each in its own transaction, under a session advisory lock so any
 * number of instances may call this at once; then upserts the reference data. Refuses to run when
 * an applied file was edited afterwards (its checksum changed): add a new migration instead.
 */
export async function migrate(pool: Pool, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrations = readMigrations(options.dir);
  const city = options.seed === undefined ? loadCity() : options.seed;
  const logger = options.logger;
  const client = await pool.connect();
  let locked = false;
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    locked = true;
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      checksum   text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    const done = new Map(rows.map((r) => [r.version, r]));
    const result: MigrateResult = { applied: [], alreadyApplied: [] };
    for (const m of migrations) {
      const prior = done.get(m.version);
      if (prior) {
        if (prior.checksum !== m.checksum) {
          throw new Error(
            `migration ${m.file} changed after it was applied (checksum ${prior.checksum.slice(0, 12)} in the database); add a new migration instead`,
          );
        }
        result.alreadyApplied.push(m.version);
        continue;
      }
      await applyOne(client, m);
      result.applied.push(m.file);
      logger?.log(`applied migration ${m.file}`);
    }
    if (city) {
      result.seed = await inTransaction(client, () => seedReferenceData(client, city));
    }
    return result;
  } finally {
    if (locked) {
      await client
        .query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY])
        .catch(() => undefined);
    }
    client.release();
  }
}

async function applyOne(client: PoolClient, m: Migration): Promise<void> {
  try {
    await inTransaction(client, async () => {
      await client.query(m.sql);
      await client.query(
        'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
        [m.version, m.name, m.checksum],
      );
    });
  } catch (err) {
    throw new Error(`migration ${m.file} failed: ${(err as Error).message}`, { cause: err });
  }
}

async function inTransaction<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const out = await work();
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
