import { ExitCodeError } from '@citypulse/simulation';

/** Exit codes (sysexits.h, as apps/file-replay uses them). */
export const EXIT = {
  ok: 0,
  /** Kafka or the schema registry failed (unreachable, refused, timed out) */
  failure: 1,
  /** bad command line */
  usage: 64,
  /** the topic asked for does not exist */
  noInput: 66,
  /** bad configuration (libs/config's loadConfigOrExit) */
  config: 78,
} as const;

/**
 * An outcome the CLI reports as one message on stderr and an exit code, never as a stack trace:
 * libs/simulation's ExitCodeError, the one error of that kind the commands of citypulse share.
 */
export { ExitCodeError as CliError };
