import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root: CITYPULSE_ROOT, or found by walking up to pnpm-workspace.yaml. */
export function repoRoot(): string {
  const fromEnv = process.env.CITYPULSE_ROOT;
  if (fromEnv) return fromEnv;
  let dir = resolve(__dirname);
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error('cannot find the repository root (pnpm-workspace.yaml)');
    dir = parent;
  }
  return dir;
}

/** Parses a dotenv-style file: KEY=VALUE lines, # comments, no interpolation. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 1) continue;
    out[line.slice(0, eq).trim()] = line
      .slice(eq + 1)
      .trim()
      .replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

/**
 * The local stack's settings as tests see them: .env.example's defaults, overridden by .env when
 * present (as scripts/env.sh layers them), then by the process environment, so CI or a developer
 * can point tests elsewhere.
 */
export function stackEnv(): Record<string, string> {
  const root = repoRoot();
  const defaults = parseEnvFile(readFileSync(join(root, '.env.example'), 'utf8'));
  const local = existsSync(join(root, '.env'))
    ? parseEnvFile(readFileSync(join(root, '.env'), 'utf8'))
    : {};
  const merged: Record<string, string> = { ...defaults, ...local };
  for (const key of Object.keys(merged)) {
    const v = process.env[key];
    if (v !== undefined) merged[key] = v;
  }
  return merged;
}
