import { JsonlDumpSink } from '../dump/dump-sink';
import type { RecordSource } from '../faults/fault-injector';
import type { EventLike, SimRecord } from '../faults/records';
import {
  SimulationRunner,
  type RecordSink,
  type RunOptions,
  type RunSummary,
  type SimulationMetrics,
} from './runner';

/** Where a run's progress goes (a Nest Logger fits). */
export interface RunLog {
  log(message: string): void;
}

/**
 * The sinks of a run: the JSONL dump when a file is given, then Kafka unless it is a dry run
 * (`openKafka` connects it and logs where it produces).
 */
export async function openSinks<R extends SimRecord<EventLike, string>>(
  options: { dump: string | undefined; dryRun: boolean; log: RunLog },
  openKafka: () => Promise<RecordSink<R>>,
): Promise<RecordSink<R>[]> {
  const sinks: RecordSink<R>[] = [];
  if (options.dump) {
    sinks.push(new JsonlDumpSink<R>(options.dump));
    options.log.log(`dumping every sent record to ${options.dump}`);
  }
  if (!options.dryRun) sinks.push(await openKafka());
  return sinks;
}

export interface SimulationRunSpec<
  R extends SimRecord<EventLike, string>,
  S extends RecordSource<R>,
> {
  sinks: RecordSink<R>[];
  /** made once the sinks are open */
  source(): S;
  run: Omit<RunOptions, 'signal'>;
  signal?: AbortSignal;
  metrics: SimulationMetrics;
  log: RunLog;
  /** what the progress line counts, e.g. 'records' */
  unit: string;
  /** the faults injected, for the last line */
  faults(summary: RunSummary, source: S): string;
  /** records per wall second for the last line (default one decimal) */
  eventsPerSecond?: (perSecond: number) => string;
}

/**
 * One run to its end: a progress line every 5 s, a summary line at the end, and the sinks closed
 * whatever happens.
 */
export async function runSimulation<
  R extends SimRecord<EventLike, string>,
  S extends RecordSource<R>,
>(spec: SimulationRunSpec<R, S>): Promise<RunSummary> {
  const { sinks, log } = spec;
  let progress: NodeJS.Timeout | undefined;
  try {
    const source = spec.source();
    const runner = new SimulationRunner<R>(
      source,
      sinks,
      { ...spec.run, ...(spec.signal && { signal: spec.signal }) },
      spec.metrics,
    );
    progress = setInterval(() => log.log(`sent ${runner.sent} ${spec.unit}`), 5_000);
    const summary = await runner.run();
    const perSecond = spec.eventsPerSecond ?? ((n: number) => n.toFixed(1));
    log.log(
      `done: ${summary.sent} records in ${(summary.elapsedMs / 1000).toFixed(1)} s ` +
        `(${perSecond(summary.eventsPerSecond)} events/s); faults ${spec.faults(summary, source)}` +
        (summary.lastEventTime
          ? `; simulated clock at ${new Date(summary.lastEventTime).toISOString()}`
          : ''),
    );
    return summary;
  } finally {
    clearInterval(progress);
    for (const s of sinks) await s.close();
  }
}
