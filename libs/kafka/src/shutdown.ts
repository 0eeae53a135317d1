import type { KafkaLogger } from './consumer/types';

export interface GracefulShutdownOptions {
  signals?: NodeJS.Signals[];
  /** Exit 1 when closing takes longer. Default 45,000 ms (above the consumer's 30 s drain). */
  timeoutMs?: number;
  logger?: KafkaLogger;
  exit?: (code: number) => void;
}

/**
 * On SIGTERM/SIGINT: close (a Nest app, the consumer, the producer — whatever is given: the
 * transport drains the batch in flight and commits), then exit 0; exit 1 when closing fails or
 * hangs. Use this instead of `app.enableShutdownHooks()` in a Kafka microservice.
 */
export function exitOnSignals(
  target: { close(): unknown },
  opts: GracefulShutdownOptions = {},
): void {
  const { signals = ['SIGTERM', 'SIGINT'], timeoutMs = 45_000, logger = console } = opts;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: draining and shutting down`);
    const timer = setTimeout(() => {
      logger.error(`shutdown took longer than ${timeoutMs} ms; exiting 1`);
      exit(1);
    }, timeoutMs);
    timer.unref();
    Promise.resolve()
      .then(() => target.close())
      .then(
        () => {
          clearTimeout(timer);
          exit(0);
        },
        (err: unknown) => {
          clearTimeout(timer);
          logger.error('shutdown failed', err);
          exit(1);
        },
      );
  };
  for (const s of signals) process.once(s, onSignal);
}
