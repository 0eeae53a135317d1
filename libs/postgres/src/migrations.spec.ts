import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMigrations } from './migrations';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

describe('readMigrations', () => {
  it("reads this package's migrations in version order", () => {
    const versions = readMigrations().map((m) => m.version);
    expect(versions.length).toBeGreaterThanOrEqual(2);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
  });

  it('orders by number, not by file name, and ignores other files', () => {
    const dir = dirWith({
      '0010_later.sql': 'SELECT 10',
      '0002_second.sql': 'SELECT 2',
      '0001_first.sql': 'SELECT 1',
      'README.md': 'not a migration',
    });
    expect(readMigrations(dir).map((m) => [m.version, m.name])).toEqual([
      [1, 'first'],
      [2, 'second'],
      [10, 'later'],
    ]);
  });

  it('checksums the content so an edited file is noticed', () => {
    const a = readMigrations(dirWith({ '0001_x.sql': 'SELECT 1' }))[0];
    const b = readMigrations(dirWith({ '0001_x.sql': 'SELECT 2' }))[0];
    expect(a?.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(a?.checksum).not.toBe(b?.checksum);
  });

  it('refuses two files with one version and badly named files', () => {
    expect(() => readMigrations(dirWith({ '0001_a.sql': '', '0001_b.sql': '' }))).toThrow(
      /share version 1/,
    );
    expect(() => readMigrations(dirWith({ 'init.sql': '' }))).toThrow(/NNNN_snake_case_name/);
  });
});

describe('README.md', () => {
  it('lists every table the migrations create', () => {
    const created = readMigrations().flatMap((m) =>
      [...m.sql.matchAll(/CREATE TABLE(?: IF NOT EXISTS)?\s+([a-z_][a-z0-9_]*)/gi)].map((x) =>
        x[1].toLowerCase(),
      ),
    );
    expect(created.length).toBeGreaterThanOrEqual(8);
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Tables'), readme.indexOf('## Use'));
    const listed = new Set([...section.matchAll(/`([a-z_][a-z0-9_]*)`/g)].map((x) => x[1]));
    expect(created.filter((t) => !listed.has(t))).toEqual([]);
    expect(listed.has('schema_migrations')).toBe(true);
  });
});
