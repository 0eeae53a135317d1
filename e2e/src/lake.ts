import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every .parquet file under a folder, recursively. */
export function parquetFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() && !e.name.startsWith('_')) out.push(...parquetFiles(p));
    else if (e.isFile() && e.name.endsWith('.parquet') && statSync(p).size > 0) out.push(p);
  }
  return out.sort();
}

/**
 * The files a Spark streaming file sink has committed to `tableDir`, from its `_spark_metadata`
 * log (a file written by a batch that failed before its commit is not part of the table).
 * Falls back to every .parquet file when there is no log.
 */
export function committedParquetFiles(tableDir: string): string[] {
  const logDir = join(tableDir, '_spark_metadata');
  if (!existsSync(logDir)) return parquetFiles(tableDir);
  const entries = readdirSync(logDir)
    .filter((f) => /^\d+(\.compact)?$/.test(f))
    .map((f) => ({ f, n: Number.parseInt(f, 10), compact: f.endsWith('.compact') }))
    .sort((a, b) => a.n - b.n);
  // A .compact file holds the whole log up to its batch; start from the newest one.
  const lastCompact = entries.filter((e) => e.compact).pop();
  const from = lastCompact ? entries.filter((e) => e.n >= lastCompact.n) : entries;
  const files = new Set<string>();
  for (const { f } of from) {
    for (const line of readFileSync(join(logDir, f), 'utf8').split('\n').slice(1)) {
      if (!line.trim()) continue;
      const e = JSON.parse(line) as { path: string; action: string };
      const path = e.path.startsWith('file:') ? fileURLToPath(e.path) : e.path;
      if (e.action === 'delete') files.delete(path);
      else files.add(path);
    }
  }
  return [...files].sort();
}

/**
 * hyparquet is ESM only, and this package compiles to CommonJS, where tsc turns `import()` into a
 * `require` that cannot load it; a function built at run time keeps Node's real `import()`.
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a fixed body, no outside input
const importEsm = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<typeof import('hyparquet')>;

/** Rows in the files a Spark file sink committed to `tableDir` (from each file's footer). */
export async function committedParquetRows(tableDir: string): Promise<number> {
  const { parquetMetadata } = await importEsm('hyparquet');
  let rows = 0;
  for (const f of committedParquetFiles(tableDir)) {
    const b = readFileSync(f);
    rows += Number(
      parquetMetadata(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)).num_rows,
    );
  }
  return rows;
}
