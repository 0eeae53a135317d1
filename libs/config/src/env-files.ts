import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * For `pnpm start` against `make up`: layers the repository's env files as scripts/env.sh does —
 * variables already set win over .env, which wins over .env.example (every default) — so a
 * deployment's real environment is never overridden. Outside a checkout (an image built with
 * `pnpm deploy`) there is no pnpm-workspace.yaml above, and nothing is loaded. Returns the files
 * loaded. Call it first in main, before loadConfig.
 */
export function loadRepoEnvFiles(from: string = __dirname): string[] {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) {
      // process.loadEnvFile never overwrites a variable that is set: the first file wins.
      const files = [join(dir, '.env'), join(dir, '.env.example')].filter((f) => existsSync(f));
      for (const f of files) process.loadEnvFile(f);
      return files;
    }
    const parent = dirname(dir);
    if (parent === dir) return [];
    dir = parent;
  }
}
