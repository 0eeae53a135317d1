/**
 * The live flow of `make demo`: the four streams, the alerting service and both producers with
 * their simulated clocks sped up and a few faults of every kind. The dashboards' test runs the
 * same flow (e2e/test/dashboards.e2e-spec.ts), so what it proves about the dashboards holds for
 * what the demo shows.
 */
import type { Pipeline, PipelineOptions } from './pipeline';
import { FLOW_STREAMS } from './streams';

// A 5-minute window closes every 5 s, a 15-minute one every 15 s: the longest window (incidents)
// is final in gold about 17 s of wall time after it ends (2 min of watermark).
export const SPEEDUP = 60;
// Every sensor and vehicle reports every minute of simulated time (tickets follow their own model):
// a fixed interval keeps the volume the same on every machine.
const INTERVAL_SECONDS = 60; // about 100 events/s over the three streams
const INCIDENTS_PER_DAY = 24; // per zone: about 12 incidents a wall minute over the city at x60
export const WATERMARK = '2 minutes';
const FAULTS = [
  '--duplicates',
  '0.01',
  '--out-of-order',
  '0.02',
  '--late',
  '0.005',
  '--malformed',
  '0.005',
  '--broken-avro',
  '0.002',
  '--messy-ids',
  '0.02',
];

/** The Pipeline of the live flow (every stream, alerting, fresh topics); `over` adds or replaces. */
export function liveFlow(over: Omit<PipelineOptions, 'streams'>): PipelineOptions {
  return {
    streams: FLOW_STREAMS,
    sparkArgs: ['--trigger', '5 seconds', '--watermark', WATERMARK],
    freshTopics: true,
    alerting: true,
    // Spark starts its 12 queries one by one: a minute or two on a busy 2-core machine
    readyTimeoutMs: 300_000,
    ...over,
  };
}

/** Starts the sensor-generator and the ticket-producer with their clocks at `simStart` (x SPEEDUP). */
export async function startLiveProducers(p: Pipeline, simStart: number): Promise<void> {
  const start = ['--start', new Date(simStart).toISOString(), '--speedup', String(SPEEDUP)];
  await p.startProducer('sensor-generator', [
    '--streams',
    'traffic,transport,incidents',
    '--interval-seconds',
    String(INTERVAL_SECONDS),
    '--incidents-per-day',
    String(INCIDENTS_PER_DAY),
    ...start,
    ...FAULTS,
  ]);
  await p.startProducer('ticket-producer', [...start, ...FAULTS]);
}
