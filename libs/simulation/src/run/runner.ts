import type { RecordSource } from '../faults/fault-injector';
import { FAULT_KINDS, type EventLike, type FaultKind, type SimRecord } from '../faults/records';
import { ClockPacer, Pacer } from './pacer';

/** Where generated records go: Kafka, a JSONL dump, or a test's array. */
export interface RecordSink<R> {
  send(records: readonly R[]): Promise<void>;
  close(): Promise<void>;
}

export interface SimulationMetrics {
  sent(count: number): void;
  faultsInjected(kind: FaultKind, count: number): void;
  simulatedTime(epochMs: number): void;
  /** a record its topic's schema refused (skipped), counted per topic and refused field */
  encodeFailed(topic: string, field: string): void;
}

export const NOOP_SIMULATION_METRICS: SimulationMetrics = {
  sent: () => undefined,
  faultsInjected: () => undefined,
  simulatedTime: () => undefined,
  encodeFailed: () => undefined,
};

export interface RunOptions {
  /** records per wall second; Infinity = as fast as possible */
  rate: number;
  /** stop after this many records (Infinity = no bound) */
  maxEvents: number;
  /** stop after this much wall time (Infinity = no bound) */
  maxDurationMs: number;
  /** records per send call */
  batchSize: number;
  /**
   * Pace by the simulated clock instead of by count: a record goes once its event time is due at
   * this speed-up from this start (bursts stay bursts). Without it, `rate` paces by count.
   */
  clock?: { speedup: number; startTime: number };
  /** stop early (SIGINT/SIGTERM) */
  signal?: AbortSignal;
  /** batches handed to the sinks and not yet acknowledged (default 8) */
  maxInFlight?: number;
}

export interface RunSummary {
  sent: number;
  elapsedMs: number;
  /** records per wall second achieved */
  eventsPerSecond: number;
  faults: Record<FaultKind, number>;
  /** event time of the newest clean record when the run ended */
  lastEventTime: number | undefined;
}

/**
 * What a run hands to its sinks: simulated records, or a source's own kinds beside them (a file
 * replay's rejected rows). Only clean `reading` records move the simulated clock.
 */
export interface RunRecord {
  kind: string;
}

type Reading = Extract<SimRecord<EventLike, string>, { kind: 'reading' }>;

function isCleanReading(r: RunRecord): r is Reading {
  return r.kind === 'reading' && (r as Reading).faults.length === 0;
}

/**
 * Drives a run: asks the pacer how many records are due, takes them from the source, hands
 * them to every sink, until the event or time bound is reached, the signal aborts or a finite
 * source is exhausted. An unbounded run releases the held-back records at its end, so nothing
 * generated is lost.
 */
export class SimulationRunner<R extends RunRecord> {
  private sentSoFar = 0;

  constructor(
    private readonly source: RecordSource<R>,
    private readonly sinks: readonly RecordSink<R>[],
    private readonly options: RunOptions,
    private readonly metrics: SimulationMetrics = NOOP_SIMULATION_METRICS,
  ) {}

  /** Records handed to the sinks so far (for progress logs). */
  get sent(): number {
    return this.sentSoFar;
  }

  async run(): Promise<RunSummary> {
    const { rate, maxEvents, maxDurationMs, batchSize, signal, clock } = this.options;
    const started = performance.now();
    const byClock =
      clock && Number.isFinite(clock.speedup) && rate !== Infinity
        ? new ClockPacer(clock.speedup, clock.startTime)
        : undefined;
    const pacer = new Pacer(rate, batchSize);
    const reported = new Map<FaultKind, number>(FAULT_KINDS.map((k) => [k, 0]));
    let sent = 0;
    let lastEventTime: number | undefined;

    // Up to `maxInFlight` batches are handed to the sinks before the oldest is awaited: sinks
    // take records in call order, so order is kept while the broker round trips overlap.
    const inFlight: Promise<void>[] = [];
    const maxInFlight = this.options.maxInFlight ?? 8;
    const deliver = async (batch: R[]): Promise<void> => {
      const delivery = Promise.all(this.sinks.map((s) => s.send(batch))).then(() => undefined);
      delivery.catch(() => undefined); // observed below; this only keeps Node from calling it unhandled
      inFlight.push(delivery);
      sent += batch.length;
      this.sentSoFar = sent;
      this.metrics.sent(batch.length);
      for (const [kind, total] of this.source.injected) {
        const delta = total - (reported.get(kind) ?? 0);
        if (delta > 0) this.metrics.faultsInjected(kind, delta);
        reported.set(kind, total);
      }
      for (const r of batch) {
        if (isCleanReading(r)) lastEventTime = Math.max(lastEventTime ?? 0, r.value.event_time);
      }
      if (lastEventTime !== undefined) this.metrics.simulatedTime(lastEventTime);
      while (inFlight.length >= maxInFlight) await inFlight.shift();
    };

    let loopError: unknown;
    try {
      const source = this.source;
      while (sent < maxEvents && !signal?.aborted && !source.exhausted) {
        if (performance.now() - started >= maxDurationMs) break;
        const batch: R[] = [];
        if (byClock) {
          const limit = Math.min(batchSize, maxEvents - sent);
          const now = byClock.simNow();
          while (batch.length < limit && !source.exhausted && source.nextTime() <= now) {
            batch.push(source.next(maxEvents - sent - batch.length));
          }
          if (batch.length === 0) {
            await sleep(Math.min(Math.max(byClock.waitMs(source.nextTime()), 1), 100), signal);
            continue;
          }
        } else {
          const allowed = Math.min(pacer.allowance(sent), maxEvents - sent);
          if (allowed <= 0) {
            await sleep(Math.min(Math.max(pacer.waitMs(sent), 1), 100), signal);
            continue;
          }
          for (let i = 0; i < allowed && !source.exhausted; i++) {
            batch.push(source.next(maxEvents - sent - i));
          }
        }
        if (batch.length > 0) await deliver(batch);
      }
      if (maxEvents === Infinity && source.pendingCount > 0) {
        await deliver(source.drain());
      }
    } catch (e) {
      loopError = e;
    }
    // Wait for every delivery (none left unobserved), then report the first failure.
    const failure = (await Promise.allSettled(inFlight)).find((r) => r.status === 'rejected');
    if (loopError !== undefined) throw asError(loopError);
    if (failure) throw asError(failure.reason);

    const elapsedMs = performance.now() - started;
    return {
      sent,
      elapsedMs,
      eventsPerSecond: elapsedMs > 0 ? (sent * 1000) / elapsedMs : 0,
      faults: Object.fromEntries(this.source.injected) as Record<FaultKind, number>,
      lastEventTime,
    };
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
