import { loadConfig } from '@citypulse/config';
import { z } from 'zod';
import { describeFaults, runBounds, simulationEnv, simulationSettings } from './simulation-env';

const schema = z.object({ ...simulationEnv('TOY_', { seed: 'toy', batchSize: 50 }) });

describe('simulationEnv', () => {
  it('has defaults for every run variable', () => {
    const s = simulationSettings('TOY_', loadConfig(schema, {}));
    expect(s).toMatchObject({
      seed: 'toy',
      rate: undefined,
      speedup: undefined,
      events: 0,
      durationSeconds: 0,
      batchSize: 50,
      dryRun: false,
    });
    expect(s.faults).toEqual({
      duplicates: 0,
      outOfOrder: 0,
      late: 0,
      malformed: 0,
      brokenAvro: 0,
      messyIds: 0,
      outOfOrderMaxMs: 60_000,
      lateByMs: 1_800_000,
    });
    expect(runBounds(s)).toEqual({ maxEvents: Infinity, maxDurationMs: Infinity, batchSize: 50 });
    expect(describeFaults(s.faults)).toBe('none');
  });

  it('reads values and lists every bad one', () => {
    const s = simulationSettings(
      'TOY_',
      loadConfig(schema, {
        TOY_RATE: 'max',
        TOY_EVENTS: '10',
        TOY_DURATION_SECONDS: '1.5',
        TOY_LATE: '0.1',
        TOY_DRY_RUN: 'yes',
      }),
    );
    expect(s.rate).toBe(Infinity);
    expect(runBounds(s)).toMatchObject({ maxEvents: 10, maxDurationMs: 1_500 });
    expect(s.dryRun).toBe(true);
    expect(describeFaults(s.faults)).toBe('late=0.1');
    expect(() => loadConfig(schema, { TOY_LATE: '2', TOY_RATE: 'fast', TOY_EVENTS: '-1' })).toThrow(
      /TOY_RATE[\s\S]*TOY_EVENTS[\s\S]*TOY_LATE/,
    );
  });
});
