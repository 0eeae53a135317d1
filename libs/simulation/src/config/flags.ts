import type { EnvSource } from '@citypulse/config';

/** How a command's flags map onto its variables. */
export interface FlagSpec {
  /** the command's name, for the usage text */
  command: string;
  /** every flag sets `<prefix><NAME>`, e.g. GENERATOR_ for --rate -> GENERATOR_RATE */
  prefix: string;
  /** the variables flags may set (with the prefix), in usage order */
  variables: readonly string[];
  /** short flag names for variables whose name says a unit, e.g. { interval: 'INTERVAL_SECONDS' } */
  aliases?: Readonly<Record<string, string>>;
  /** flags that take no value (set to true) */
  switches?: readonly string[];
}

/**
 * Turns `--rate 500 --dump=out.jsonl --dry-run` into `<prefix>*` variables laid over the
 * environment, so flags and env go through the one validated config. Unknown flags are errors.
 */
export function withFlags(argv: readonly string[], source: EnvSource, spec: FlagSpec): EnvSource {
  const known = new Set(spec.variables);
  const switches = new Set(spec.switches ?? []);
  const out: EnvSource = { ...source };
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue;
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (!m) {
      problems.push(`unexpected argument "${arg}"`);
      continue;
    }
    const name = m[1];
    const variable = `${spec.prefix}${spec.aliases?.[name] ?? name.toUpperCase().replace(/-/g, '_')}`;
    if (!known.has(variable)) {
      problems.push(`unknown flag --${name}`);
      continue;
    }
    let value = m[2];
    if (value === undefined) {
      if (switches.has(name)) value = 'true';
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
      else {
        problems.push(`--${name} needs a value`);
        continue;
      }
    }
    out[variable] = value;
  }
  if (problems.length > 0) throw new FlagError(problems, usage(spec));
  return out;
}

export class FlagError extends Error {
  constructor(
    readonly problems: string[],
    usageText = '',
  ) {
    super(`${problems.join('\n')}${usageText ? `\n\n${usageText}` : ''}`);
    this.name = 'FlagError';
  }
}

/** Every flag with the variable it sets. */
export function usage(spec: FlagSpec): string {
  const flags = spec.variables.map((v) => {
    const suffix = v.slice(spec.prefix.length);
    const alias = Object.entries(spec.aliases ?? {}).find(([, s]) => s === suffix)?.[0];
    return `  --${alias ?? suffix.toLowerCase().replace(/_/g, '-')}  (${v})`;
  });
  return `usage: ${spec.command} [flags]   (each flag sets the variable in brackets; see README.md)\n${flags.join('\n')}`;
}
