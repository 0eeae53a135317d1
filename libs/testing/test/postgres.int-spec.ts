// Integration test against the local stack's PostgreSQL 15 (deploy/local/services/postgres) with
// `pg`: the role and database from the env file exist, and rows round-trip through an upsert.
import { Client } from 'pg';
import { stackEnv, uniqueName } from '../src';

const env = stackEnv();

describe('PostgreSQL (local stack)', () => {
  let client: Client;
  const tables: string[] = [];

  beforeAll(async () => {
    client = new Client({ connectionString: env.POSTGRES_URL, connectionTimeoutMillis: 10_000 });
    await client.connect();
  });

  afterAll(async () => {
    for (const t of tables)
      await client.query(`DROP TABLE IF EXISTS "${t}"`).catch(() => undefined);
    await client.end();
  });

  it('answers a query as POSTGRES_USER in POSTGRES_DB, on PostgreSQL 15', async () => {
    const { rows } = await client.query<{ user: string; db: string; version: string }>(
      'SELECT current_user AS user, current_database() AS db, current_setting($1) AS version',
      ['server_version'],
    );
    expect(rows).toEqual([
      { user: env.POSTGRES_USER, db: env.POSTGRES_DB, version: expect.stringMatching(/^15\./) },
    ]);
  });

  it('upserts rows into a fresh table and reads them back', async () => {
    const table = uniqueName('int_pg').replace(/-/g, '_');
    tables.push(table);
    await client.query(`CREATE TABLE "${table}" (zone text PRIMARY KEY, readings int NOT NULL)`);

    const upsert = `INSERT INTO "${table}" (zone, readings) VALUES ($1, $2)
                    ON CONFLICT (zone) DO UPDATE SET readings = EXCLUDED.readings`;
    await client.query(upsert, ['zone-01', 10]);
    await client.query(upsert, ['zone-02', 7]);
    await client.query(upsert, ['zone-01', 12]);

    const { rows } = await client.query<{ zone: string; readings: number }>(
      `SELECT zone, readings FROM "${table}" ORDER BY zone`,
    );
    expect(rows).toEqual([
      { zone: 'zone-01', readings: 12 },
      { zone: 'zone-02', readings: 7 },
    ]);
  });
});
