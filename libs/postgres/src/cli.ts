#!/usr/bin/env node
/**
 * citypulse-migrate: applies libs/postgres migrations and upserts the city reference data into
 * the database at POSTGRES_URL, then exits (0 on success, 1 on failure, 78 on bad config).
 * Safe to run while services start: every migrator takes the same advisory lock.
 *
 *   pnpm --filter @citypulse/postgres migrate          (POSTGRES_URL from the environment)
 */
import { defineConfig, loadConfigOrExit, postgresEnv } from '@citypulse/config';
import { migrate } from './migrations';
import { createPool } from './pool';

async function main(): Promise<void> {
  const config = loadConfigOrExit(
    defineConfig({ postgres: postgresEnv({ applicationName: 'citypulse-migrate' }) }),
  );
  const logger = { log: console.log, warn: console.warn, error: console.error };
  const pool = createPool({ ...config.postgres, poolMax: 1 }, logger);
  try {
    const result = await migrate(pool, { logger });
    const seed = result.seed;
    console.log(
      `migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied; ` +
        `reference rows changed: zones ${seed?.zones ?? 0}, sensors ${seed?.sensors ?? 0}, lines ${seed?.lines ?? 0}`,
    );
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  console.error(`citypulse-migrate failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
