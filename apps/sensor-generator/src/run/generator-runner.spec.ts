import { testCity } from '../testing/city';
import { createInjector, generateRecords, type GenerationOptions } from '../dump/generate';
import type { GeneratedRecord } from '../faults/fault-injector';
import { GeneratorRunner, type RecordSink } from './generator-runner';

class ArraySink implements RecordSink {
  readonly records: GeneratedRecord[] = [];
  calls = 0;
  send(records: readonly GeneratedRecord[]): Promise<void> {
    this.records.push(...records);
    this.calls++;
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const opts: GenerationOptions = {
  seed: 21,
  city: testCity(),
  startTime: Date.UTC(2024, 0, 8, 7),
  intervalMs: 10_000,
  faults: { duplicates: 0.05, late: 0.02, outOfOrder: 0.05, malformed: 0.01, brokenAvro: 0.01 },
};

describe('GeneratorRunner', () => {
  it('sends exactly the library sequence in a bounded, unpaced run', async () => {
    const sink = new ArraySink();
    const summary = await new GeneratorRunner(createInjector(opts), [sink], {
      rate: Infinity,
      maxEvents: 3_000,
      maxDurationMs: Infinity,
      batchSize: 500,
    }).run();
    expect(summary.sent).toBe(3_000);
    expect(sink.records).toEqual([...generateRecords(opts, 3_000)]);
    expect(sink.calls).toBe(6);
    expect(summary.faults.duplicate).toBeGreaterThan(0);
  });

  it('holds the asked rate', async () => {
    const sink = new ArraySink();
    const summary = await new GeneratorRunner(createInjector(opts), [sink], {
      rate: 2_000,
      maxEvents: 1_000,
      maxDurationMs: Infinity,
      batchSize: 100,
    }).run();
    expect(summary.elapsedMs).toBeGreaterThan(420);
    expect(summary.elapsedMs).toBeLessThan(1_500);
  });

  it('stops on a time bound or an abort, and an unbounded run drains what it held back', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const sink = new ArraySink();
    const injector = createInjector(opts);
    const summary = await new GeneratorRunner(injector, [sink], {
      rate: 1_000,
      maxEvents: Infinity,
      maxDurationMs: 5_000,
      batchSize: 100,
      signal: ac.signal,
    }).run();
    expect(summary.elapsedMs).toBeLessThan(1_000);
    expect(injector.pendingCount).toBe(0);
    expect(sink.records).toHaveLength(summary.sent);
  });
});
