import { SimulationRunner, type RecordSink } from '@citypulse/simulation';
import { parseRows, type Line } from '../rows/rows';
import { replayContract } from '../streams';
import { FileSource, type ReplayRecord } from './file-source';
import { runOptions } from './replay';

const HEADER = 'event_id,event_time,sensor_id,zone_id,speed,speed_unit,vehicle_count,occupancy_pct';
const T0 = Date.UTC(2024, 5, 10, 8);

/** A CSV of traffic readings `stepMs` of event time apart, with a bad row after the `bad`-th. */
function csv(n: number, stepMs: number, bad?: number): Line[] {
  const texts = [HEADER];
  for (let i = 0; i < n; i++) {
    texts.push(`e${i},${T0 + i * stepMs},Z01-S0${(i % 9) + 1},Z01,40,KMH,5,10`);
    if (i === bad) texts.push(`x${i},${T0 + i * stepMs},Z01-S01,Z01,fast,KMH,5,10`);
  }
  return texts.map((text, i) => ({ line: i + 1, text }));
}

const source = (lines: Line[]) =>
  new FileSource(parseRows(lines, 'csv', replayContract('traffic').rows));

class ArraySink implements RecordSink<ReplayRecord<unknown>> {
  readonly records: ReplayRecord<unknown>[] = [];
  send(records: readonly ReplayRecord<unknown>[]): Promise<void> {
    this.records.push(...records);
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const options = { pace: 'max' as const, speed: 1, limit: 0, batchSize: 4 };

describe('FileSource', () => {
  it('hands out every row once, in file order, then is exhausted', () => {
    const s = source(csv(3, 1_000, 1));
    expect(s.firstEventTime()).toBe(T0);
    const out: ReplayRecord<unknown>[] = [];
    while (!s.exhausted) out.push(s.next());
    expect(out.map((r) => [r.kind, r.line, r.seq])).toEqual([
      ['reading', 2, 0],
      ['reading', 3, 1],
      ['rejected', 4, 2],
      ['reading', 5, 3],
    ]);
    expect(s.nextTime()).toBe(Infinity);
    expect(() => s.next()).toThrow(RangeError);
  });

  it('says a bad row is due at once and a good one at its event time', () => {
    const s = source(csv(2, 5_000, 0));
    expect(s.nextTime()).toBe(T0);
    s.next();
    expect(s.nextTime()).toBe(-Infinity);
    s.next();
    expect(s.nextTime()).toBe(T0 + 5_000);
  });

  it('has no first event time when no row is good', () => {
    const s = source([
      { line: 1, text: HEADER },
      { line: 2, text: 'a,b' },
    ]);
    expect(s.firstEventTime()).toBeUndefined();
    expect(s.exhausted).toBe(false);
  });
});

describe('a replay run (SimulationRunner over a FileSource)', () => {
  it('at max pace sends every row and ends with the file', async () => {
    const sink = new ArraySink();
    const s = source(csv(10, 60_000, 4));
    const summary = await new SimulationRunner(
      s,
      [sink],
      runOptions(options, s.firstEventTime()),
    ).run();
    expect(summary.sent).toBe(11);
    expect(sink.records.filter((r) => r.kind === 'rejected').map((r) => r.line)).toEqual([7]);
    expect(summary.elapsedMs).toBeLessThan(1_000); // 9 minutes of event time, not paced
  });

  it('stops at the row limit (good and bad rows count)', async () => {
    const sink = new ArraySink();
    const s = source(csv(10, 1_000, 2));
    const summary = await new SimulationRunner(
      s,
      [sink],
      runOptions({ ...options, limit: 5 }, s.firstEventTime()),
    ).run();
    expect(summary.sent).toBe(5);
    expect(sink.records.map((r) => r.line)).toEqual([2, 3, 4, 5, 6]);
  });

  it('at the recorded pace takes the event-time span divided by the speed', async () => {
    // 6 rows over 1.5 s of event time at x2: the last is due 750 ms after the start
    const s = source(csv(6, 300, 2));
    const sink = new ArraySink();
    const summary = await new SimulationRunner(
      s,
      [sink],
      runOptions({ ...options, pace: 'recorded', speed: 2 }, s.firstEventTime()),
    ).run();
    expect(summary.sent).toBe(7);
    expect(summary.elapsedMs).toBeGreaterThanOrEqual(700);
    expect(summary.elapsedMs).toBeLessThan(3_000);
  });
});

describe('runOptions', () => {
  it('paces by the clock from the first event time at the speed, or not at all', () => {
    expect(runOptions({ ...options, pace: 'recorded', speed: 60 }, T0)).toMatchObject({
      clock: { speedup: 60, startTime: T0 },
      maxEvents: Infinity,
      batchSize: 4,
    });
    expect(runOptions({ ...options, pace: 'recorded', speed: 60 }, T0).rate).toBeLessThan(Infinity);
    expect(runOptions({ ...options, limit: 7 }, T0)).toEqual({
      rate: Infinity,
      maxEvents: 7,
      maxDurationMs: Infinity,
      batchSize: 4,
    });
    // nothing good to pace by: at once
    expect(runOptions({ ...options, pace: 'recorded' }, undefined).rate).toBe(Infinity);
  });
});
