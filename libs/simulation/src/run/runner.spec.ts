import { FaultInjector, type FaultOptions, type RecordSource } from '../faults/fault-injector';
import type { SimRecord } from '../faults/records';
import { ListSource, ToySource, toyProfile, type ToyValue } from '../testing/toy-stream';
import { SimulationRunner, type RecordSink } from './runner';

type Rec = SimRecord<ToyValue>;

class ArraySink implements RecordSink<Rec> {
  readonly records: Rec[] = [];
  calls = 0;
  send(records: readonly Rec[]): Promise<void> {
    this.records.push(...records);
    this.calls++;
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const START = Date.UTC(2024, 0, 8, 7);
const FAULTS: Partial<FaultOptions> = {
  duplicates: 0.05,
  late: 0.02,
  outOfOrder: 0.05,
  malformed: 0.01,
  brokenAvro: 0.01,
};
const injector = () =>
  new FaultInjector(
    new ToySource(21, { count: 44, startTime: START, intervalMs: 10_000 }),
    21,
    FAULTS,
    toyProfile(),
  );

describe('SimulationRunner', () => {
  it('sends exactly the injector`s sequence in a bounded, unpaced run', async () => {
    const sink = new ArraySink();
    const summary = await new SimulationRunner(injector(), [sink], {
      rate: Infinity,
      maxEvents: 3_000,
      maxDurationMs: Infinity,
      batchSize: 500,
    }).run();
    expect(summary.sent).toBe(3_000);
    const again = injector();
    expect(sink.records).toEqual(Array.from({ length: 3_000 }, (_, i) => again.next(3_000 - i)));
    expect(sink.calls).toBe(6);
    expect(summary.faults.duplicate).toBeGreaterThan(0);
    expect(summary.lastEventTime).toBeGreaterThan(START);
  });

  it('holds the asked rate', async () => {
    const summary = await new SimulationRunner(injector(), [new ArraySink()], {
      rate: 2_000,
      maxEvents: 1_000,
      maxDurationMs: Infinity,
      batchSize: 100,
    }).run();
    expect(summary.elapsedMs).toBeGreaterThan(420);
    expect(summary.elapsedMs).toBeLessThan(1_500);
  });

  it('paces by the simulated clock when asked: a burst goes at once, a gap waits', async () => {
    // 200 records in the first simulated second, then one 30 s later: at 100x, 0.3 s later.
    const times = [...Array.from({ length: 200 }, (_, i) => i * 5), 30_000];
    const sink = new ArraySink();
    const injectorOf = new FaultInjector(new ListSource(times), 1, {}, toyProfile());
    const t0 = performance.now();
    const summary = await new SimulationRunner(injectorOf, [sink], {
      rate: 1,
      maxEvents: 201,
      maxDurationMs: Infinity,
      batchSize: 1_000,
      clock: { speedup: 100, startTime: 0 },
    }).run();
    expect(summary.sent).toBe(201);
    expect(performance.now() - t0).toBeGreaterThan(280);
    expect(summary.elapsedMs).toBeLessThan(1_000);
    // the burst did not trickle out one by one at rate 1/s (that would be 200 calls); batches
    // follow the timer, so a loaded machine makes a few more than an idle one
    expect(sink.calls).toBeLessThan(100);
  });

  it('stops on a time bound or an abort, and an unbounded run drains what it held back', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const sink = new ArraySink();
    const inj = injector();
    const summary = await new SimulationRunner(inj, [sink], {
      rate: 1_000,
      maxEvents: Infinity,
      maxDurationMs: 5_000,
      batchSize: 100,
      signal: ac.signal,
    }).run();
    expect(summary.elapsedMs).toBeLessThan(1_000);
    expect(inj.pendingCount).toBe(0);
    expect(sink.records).toHaveLength(summary.sent);
  });

  it('reports a sink failure after the run settles', async () => {
    const failing: RecordSink<Rec> = {
      send: () => Promise.reject(new Error('broker down')),
      close: () => Promise.resolve(),
    };
    await expect(
      new SimulationRunner(injector(), [failing], {
        rate: Infinity,
        maxEvents: 100,
        maxDurationMs: Infinity,
        batchSize: 10,
      }).run(),
    ).rejects.toThrow('broker down');
  });

  describe('a finite source', () => {
    /** Records at these event times, then nothing: what a file replay is to the runner. */
    const finite = (times: number[]): RecordSource<Rec> & { exhausted: boolean } => {
      const inj = new FaultInjector(new ListSource(times), 1, {}, toyProfile());
      let left = times.length;
      return {
        get exhausted() {
          return left === 0;
        },
        next: (remaining) => {
          left--;
          return inj.next(remaining);
        },
        nextTime: () => inj.nextTime(),
        drain: () => inj.drain(),
        pendingCount: 0,
        injected: inj.injected,
      };
    };

    it.each([
      ['unpaced', { rate: Infinity }],
      ['paced by count', { rate: 10_000 }],
      ['paced by the clock', { rate: 10_000, clock: { speedup: 1_000, startTime: START } }],
    ])('ends the run when it is exhausted (%s)', async (_name, pacing) => {
      const sink = new ArraySink();
      const summary = await new SimulationRunner(finite([START, START + 10, START + 20]), [sink], {
        ...pacing,
        maxEvents: Infinity,
        maxDurationMs: 5_000,
        batchSize: 2,
      }).run();
      expect(summary.sent).toBe(3);
      expect(sink.records.map((r) => r.seq)).toEqual([0, 1, 2]);
      expect(summary.elapsedMs).toBeLessThan(1_000);
    });
  });
});
