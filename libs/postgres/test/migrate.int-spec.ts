import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCity, migrate, readMigrations } from '../src';
import { TestSchema } from './schema';

describe('migrate (real PostgreSQL)', () => {
  let schema: TestSchema;
  beforeEach(async () => {
    schema = await new TestSchema().create();
  });
  afterEach(async () => {
    await schema.drop();
  });

  it('applies every migration once, seeds the city, and a second run changes nothing', async () => {
    const pool = schema.pool();
    const files = readMigrations().map((m) => m.file);
    const city = loadCity();

    const first = await migrate(pool);
    expect(first.applied).toEqual(files);
    expect(first.seed).toEqual({
      zones: city.zones.length,
      sensors: city.sensors.length,
      lines: city.lines.length,
    });

    const second = await migrate(pool);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toHaveLength(files.length);
    expect(second.seed).toEqual({ zones: 0, sensors: 0, lines: 0 });

    const { rows } = await pool.query<{ n: number }>('SELECT count(*) AS n FROM schema_migrations');
    expect(rows[0]?.n).toBe(files.length);
    const zones = await pool.query<{ n: number }>('SELECT count(*) AS n FROM zones');
    expect(zones.rows[0]?.n).toBe(city.zones.length);
  });

  it('is safe when several instances migrate at once (two pools, five callers)', async () => {
    const [a, b] = [schema.pool(), schema.pool()];
    const results = await Promise.all([migrate(a), migrate(b), migrate(a), migrate(b), migrate(a)]);
    const appliedBy = results.map((r) => r.applied.length);
    // exactly one caller did the work, the others found it done
    expect(appliedBy.filter((n) => n > 0)).toHaveLength(1);
    expect(appliedBy.reduce((x, y) => x + y, 0)).toBe(readMigrations().length);
    const { rows } = await a.query<{ n: number }>('SELECT count(*) AS n FROM schema_migrations');
    expect(rows[0]?.n).toBe(readMigrations().length);
  });

  it('updates a changed seed row in place and leaves the others untouched', async () => {
    const pool = schema.pool();
    await migrate(pool);
    const city = loadCity();
    const changed = {
      ...city,
      zones: city.zones.map((z, i) => (i === 0 ? { ...z, speed_limit_kmh: 20 } : z)),
    };
    const again = await migrate(pool, { seed: changed });
    expect(again.seed).toEqual({ zones: 1, sensors: 0, lines: 0 });
    const { rows } = await pool.query<{ speed_limit_kmh: number }>(
      'SELECT speed_limit_kmh FROM zones WHERE id = $1',
      [city.zones[0]?.id],
    );
    expect(rows[0]?.speed_limit_kmh).toBe(20);
  });

  it('rolls back a failing migration whole and applies nothing after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    writeFileSync(join(dir, '0001_ok.sql'), 'CREATE TABLE a (id int PRIMARY KEY);');
    writeFileSync(
      join(dir, '0002_broken.sql'),
      'CREATE TABLE b (id int); INSERT INTO nowhere VALUES (1);',
    );
    writeFileSync(join(dir, '0003_after.sql'), 'CREATE TABLE c (id int);');
    const pool = schema.pool();

    await expect(migrate(pool, { dir, seed: false })).rejects.toThrow(
      /migration 0002_broken.sql failed: relation "nowhere" does not exist/,
    );
    const tables = await pool.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`,
      [schema.name],
    );
    expect(tables.rows.map((r) => r.t)).toEqual(['a', 'schema_migrations']);

    // fixed file: the run resumes where it stopped
    writeFileSync(join(dir, '0002_broken.sql'), 'CREATE TABLE b (id int);');
    const resumed = await migrate(pool, { dir, seed: false });
    expect(resumed.applied).toEqual(['0002_broken.sql', '0003_after.sql']);
  });

  it('refuses to run when an applied migration was edited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    writeFileSync(join(dir, '0001_a.sql'), 'CREATE TABLE a (id int);');
    const pool = schema.pool();
    await migrate(pool, { dir, seed: false });
    writeFileSync(join(dir, '0001_a.sql'), 'CREATE TABLE a (id bigint);');
    await expect(migrate(pool, { dir, seed: false })).rejects.toThrow(
      /0001_a.sql changed after it was applied/,
    );
  });
});
