import { repoRoot, stackEnv } from '@citypulse/testing';
import { isAbsolute, join } from 'node:path';

/** Variables a child process gets: the caller's environment (PATH, JAVA_HOME...) under the env file. */
export type ProcessEnv = Record<string, string>;

/**
 * The stack's settings (.env.example overlaid by .env, then by the caller's exports, as
 * scripts/env.sh layers them) on top of the caller's whole environment, so children find
 * `java`, `python` and the rest. The only place this package reads process.env.
 */
export function baseEnv(): ProcessEnv {
  const inherited: ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) inherited[k] = v;
  const root = repoRoot();
  return {
    ...inherited,
    ...stackEnv(),
    CITYPULSE_ROOT: root,
    CITYPULSE_STACK: inherited.CITYPULSE_STACK ?? join(root, '.stack'),
  };
}

/** A path setting (LAKE_DIR, CHECKPOINT_DIR...) resolved against the repository root. */
export function resolvePath(value: string): string {
  return isAbsolute(value) ? value : join(repoRoot(), value);
}

/** The Python of the Spark job (scripts/env.sh's CITYPULSE_PY). */
export function sparkPython(env: ProcessEnv): string {
  return env.CITYPULSE_PY ?? join(env.CITYPULSE_STACK, 'venv', 'bin', 'python');
}

export function required(env: ProcessEnv, name: string): string {
  const v = env[name];
  if (v === undefined || v === '') throw new Error(`${name} is not set (see .env.example)`);
  return v;
}

export function port(env: ProcessEnv, name: string): number {
  const n = Number(required(env, name));
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new Error(`${name}=${env[name]} is not a port`);
  return n;
}
