import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * For `pnpm start` against `make up`: loads the repository's .env (if there is one) into the
 * environment. Variables already set win, so a deployment's real environment is never overridden.
 * Returns the file loaded, if any.
 */
export function loadRepoEnvFile(from: string = __dirname): string | undefined {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) {
      const file = join(dir, '.env');
      if (!existsSync(file)) return undefined;
      process.loadEnvFile(file);
      return file;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
