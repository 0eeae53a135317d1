import { z } from 'zod';
import type { EnvSource } from './env';
import { isSecretKey, redactString } from './redact';

/** One bad or missing variable. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/** Thrown by loadConfig with every problem found, never with a secret value in it. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly retriable = false;

  constructor(readonly problems: ConfigProblem[]) {
    super(
      `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

type Sections = Record<string, z.ZodTypeAny>;
type SectionsOutput<T extends Sections> = { [K in keyof T]: z.output<T[K]> };

/** A config schema over the environment, as taken by loadConfig. */
export type ConfigSchema<T> = z.ZodType<T, z.ZodTypeDef, EnvSource>;

/**
 * Combines fragment schemas (kafkaEnv(), mongoEnv(), an app's own z.object of variables...) into
 * one schema whose output is `{ section: fragmentOutput }`. Every section reads the whole
 * environment, so all sections are checked and every problem is reported together.
 */
export function defineConfig<T extends Sections>(sections: T): ConfigSchema<SectionsOutput<T>> {
  return z
    .custom<EnvSource>((v) => typeof v === 'object' && v !== null)
    .transform((source, ctx) => {
      const out: Record<string, unknown> = {};
      for (const [name, schema] of Object.entries(sections)) {
        const result = schema.safeParse(source);
        if (result.success) out[name] = result.data;
        else
          for (const issue of result.error.issues)
            ctx.addIssue({ code: z.ZodIssueCode.custom, message: issue.message, path: issue.path });
      }
      return out as SectionsOutput<T>;
    });
}

/**
 * Validates the environment against a schema and returns the typed config. Throws a ConfigError
 * listing every bad or missing variable at once. This (with loadConfigOrExit) is the only place
 * in the repository that reads process.env.
 */
export function loadConfig<T>(
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  source: EnvSource = process.env,
): T {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    const variable = issue.path.length > 0 ? issue.path.map(String).join('.') : '(config)';
    const message = describe(issue, variable, source);
    const id = `${variable}\0${message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push({ variable, message });
  }
  throw new ConfigError(problems);
}

function describe(issue: z.ZodIssue, variable: string, source: EnvSource): string {
  let message = issue.message === 'Required' ? 'required' : issue.message;
  const value = source[variable];
  if (value !== undefined && value.trim() !== '' && !message.startsWith('required')) {
    message += isSecretKey(variable)
      ? ' (value hidden)'
      : ` (got ${JSON.stringify(redactString(value))})`;
  }
  return redactString(message);
}

/** Where loadConfigOrExit reports. */
export interface ExitHooks {
  write?: (text: string) => void;
  exit?: (code: number) => never;
}

/**
 * loadConfig for an app's entry point: on a bad config, prints every problem to stderr and exits
 * the process with code 78 (EX_CONFIG), so a supervisor does not mistake it for a crash to retry
 * blindly.
 */
export function loadConfigOrExit<T>(
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  source: EnvSource = process.env,
  hooks: ExitHooks = {},
): T {
  try {
    return loadConfig(schema, source);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    (hooks.write ?? ((t: string) => process.stderr.write(t)))(`${e.message}\n`);
    return (hooks.exit ?? ((code: number) => process.exit(code)))(78);
  }
}
