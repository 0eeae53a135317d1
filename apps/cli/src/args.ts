import { parseArgs } from 'node:util';
import { CliError, EXIT } from './errors';

/** `citypulse topics [PATTERN...] [--json] [--internal]` */
export interface TopicsCommand {
  kind: 'topics';
  /** topic names, `*` matching any run of characters; none = every topic */
  patterns: string[];
  json: boolean;
  /** include the broker's own topics (`__consumer_offsets`, ...) */
  internal: boolean;
}

/** `citypulse tail TOPIC [-n N] [--follow]` */
export interface TailCommand {
  kind: 'tail';
  topic: string;
  /** how many of the topic's newest records to print first (over all its partitions) */
  count: number;
  follow: boolean;
}

export type Command = TopicsCommand | TailCommand | { kind: 'help' };

export const DEFAULT_TAIL_COUNT = 10;
/** Records are held in memory until sorted: a bound keeps a typo (-n 1e9) from eating the machine. */
export const MAX_TAIL_COUNT = 100_000;

export const USAGE = `usage:
  citypulse topics [PATTERN...] [--json] [--internal]
      every topic (or those matching a PATTERN; * matches anything) with its partitions, start and
      end offsets, and the lag of every consumer group that committed offsets on it
  citypulse tail TOPIC [-n N] [--follow]
      the newest N records of TOPIC (default ${DEFAULT_TAIL_COUNT}, over all partitions, oldest first by
      timestamp) as JSON lines, Avro decoded through the schema registry; --follow keeps printing
      new records until Ctrl-C
  citypulse --help

Connection settings come from the environment (KAFKA_*, SCHEMA_REGISTRY_*; .env, .env.example).
Exit codes: 0 ok, 1 Kafka or registry failure, 64 bad arguments, 66 unknown topic, 78 bad configuration.`;

/** The command line (without `node main.js`) as a command; a CliError with exit code 64 when it is wrong. */
export function parseCommand(argv: readonly string[]): Command {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    throw usageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  const [name, ...rest] = positionals;
  if (values.help || name === 'help') return { kind: 'help' };
  if (name === undefined) throw usageError('which command? topics or tail');
  switch (name) {
    case 'topics':
      rejectFlags(name, values, ['n', 'follow']);
      return {
        kind: 'topics',
        patterns: rest,
        json: values.json ?? false,
        internal: values.internal ?? false,
      };
    case 'tail': {
      rejectFlags(name, values, ['json', 'internal']);
      if (rest.length === 0) throw usageError('tail: which topic? (citypulse topics lists them)');
      if (rest.length > 1) throw usageError(`tail: one topic at a time, got ${rest.join(' ')}`);
      return {
        kind: 'tail',
        topic: rest[0],
        count: tailCount(values.n),
        follow: values.follow ?? false,
      };
    }
    default:
      throw usageError(`unknown command '${name}' (topics or tail)`);
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      internal: { type: 'boolean' },
      n: { type: 'string', short: 'n' },
      follow: { type: 'boolean', short: 'f' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function tailCount(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_TAIL_COUNT;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) > MAX_TAIL_COUNT) {
    throw usageError(`tail: -n must be a whole number from 0 to ${MAX_TAIL_COUNT}, got '${raw}'`);
  }
  return Number(raw);
}

function rejectFlags(command: string, values: Record<string, unknown>, flags: string[]): void {
  const given = flags.filter((f) => values[f] !== undefined);
  if (given.length > 0) {
    const shown = given.map((f) => (f.length === 1 ? `-${f}` : `--${f}`)).join(', ');
    throw usageError(`${command} does not take ${shown}`);
  }
}

function usageError(message: string): CliError {
  return new CliError(`${message}\n\n${USAGE}`, EXIT.usage);
}

/** A topic pattern (`traffic.*`) as a whole-name matcher; without `*` it is the exact name. */
export function topicMatcher(patterns: readonly string[]): (topic: string) => boolean {
  if (patterns.length === 0) return () => true;
  const res = patterns.map((p) => new RegExp(`^${p.split('*').map(escapeRegExp).join('.*')}$`));
  return (topic) => res.some((re) => re.test(topic));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
