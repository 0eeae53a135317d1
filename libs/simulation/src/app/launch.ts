import {
  loadConfigOrExit,
  loadRepoEnvFiles,
  redactedJson,
  type ConfigSchema,
  type MetricsConfig,
} from '@citypulse/config';
import { withKafkaReadiness, type KafkaMetrics } from '@citypulse/kafka';
import { Metrics, startObservabilityServer } from '@citypulse/observability';
import { FlagError, usage, withFlags, type FlagSpec } from '../config/flags';

/** The running app a launcher drives: one run, then closed. */
export interface SimulationApp {
  run(signal: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

/** What a simulated source's `main` says about itself; the rest of the launch is shared. */
export interface SimulationAppSpec<C extends { metrics: MetricsConfig }> {
  /** the service name of the metrics registry, e.g. 'ticket-producer' */
  service: string;
  /** logs the signal that stops the run and the error that ends it (the app's Nest logger) */
  logger: { log(message: string): void; error(message: string): void };
  flags: FlagSpec;
  schema: ConfigSchema<C>;
  /** a dry run has no Kafka, so Kafka plays no part in readiness */
  dryRun(config: C): boolean;
  /** builds the app (its Nest context) from the validated config and the shared metrics */
  start(context: {
    config: C;
    metrics: Metrics;
    kafkaMetrics: KafkaMetrics;
  }): Promise<SimulationApp>;
}

/**
 * A failure that ends the app with an exit code of its own (sysexits.h), e.g. 65 for input
 * data that cannot be used, 66 for an input file that cannot be read. Logged without a stack.
 */
export class ExitCodeError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExitCodeError';
  }
}

/** The exit code and log line of the error that ended a launch. */
export function exitFor(e: unknown): { code: number; message: string } {
  if (e instanceof ExitCodeError) return { code: e.exitCode, message: e.message };
  return { code: 1, message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}

/**
 * `main` of a simulated source: `--help` prints the usage; flags over the environment (and the
 * repo's env files) through the one validated config; the observability server; one run until
 * its bound or SIGINT/SIGTERM (the batch in flight is finished). The validated config is logged
 * first, with its secrets masked. Exits 0 when the run ends,
 * 1 on failure (an ExitCodeError's own code instead), 64 on bad flags, 78 on a bad configuration.
 */
export function runSimulationApp<C extends { metrics: MetricsConfig }>(
  spec: SimulationAppSpec<C>,
): void {
  launch(spec).then(
    () => process.exit(0),
    (e: unknown) => {
      const { code, message } = exitFor(e);
      spec.logger.error(message);
      process.exit(code);
    },
  );
}

async function launch<C extends { metrics: MetricsConfig }>(
  spec: SimulationAppSpec<C>,
): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage(spec.flags)}\n`);
    return;
  }
  loadRepoEnvFiles();
  let source;
  try {
    source = withFlags(argv, process.env, spec.flags);
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(64);
  }
  const config = loadConfigOrExit(spec.schema, source);
  // what the run is configured with, secrets masked (libs/config's redaction)
  spec.logger.log(`config: ${redactedJson(config)}`);
  const metrics = new Metrics({ service: spec.service });
  const obs = await startObservabilityServer({ metrics, ...config.metrics });
  const kafkaReady = spec.dryRun(config) ? { set: () => undefined } : obs.health.flag('kafka');
  const app = await spec.start({
    config,
    metrics,
    kafkaMetrics: withKafkaReadiness(metrics, kafkaReady),
  });
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      spec.logger.log(`${signal}: finishing the batch in flight`);
      stop.abort();
    });
  }
  try {
    await app.run(stop.signal);
  } finally {
    await app.close();
    await obs.stop();
  }
}
