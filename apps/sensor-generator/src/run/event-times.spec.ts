import { loadConfig } from '@citypulse/config';
import { avroTypeOf } from '@citypulse/contracts';
import { generatorConfigSchema, withFlags } from '../config/generator.config';
import { STREAM_CONTRACTS, generateCityRecords } from '../streams/city-streams';
import { testCity } from '../testing/city';
import { planRun } from './plan';

const stack = { KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081' };
const NOW = Date.UTC(2024, 5, 15, 13, 0);

/** Every record a run from these flags sends first (clean: no faults), as the Kafka sink gets it. */
function records(flags: string[], count: number) {
  const config = loadConfig(generatorConfigSchema, withFlags(flags, stack));
  const plan = planRun(config.generator, testCity(), NOW);
  return { plan, records: [...generateCityRecords(plan.generation, count)] };
}

// A rate with a speed-up derives the interval: with incidents on it is not a whole number of ms.
describe.each([
  ['--rate 500 --speedup 60 --incidents-per-day 24'],
  ['--rate 500 --speedup 60'],
  ['--rate 333 --speedup 7 --incidents-per-day 48'],
  ['--rate 500 --speedup 60 --streams traffic,incidents --incidents-per-day 24'],
  ['--rate 500 --speedup 60 --streams transport,incidents --incidents-per-day 24'],
  ['--rate 500'],
])('a run with %s', (flags) => {
  const { plan, records: sent } = records(flags.split(' '), 20_000);

  it('has event times in whole milliseconds, in every stream', () => {
    const fractional = sent.filter(
      (r) => r.kind === 'reading' && !Number.isInteger(r.value.event_time),
    );
    expect(fractional.slice(0, 3).map((r) => [r.stream, r.seq])).toEqual([]);
    // at 2 incidents per zone and day (the default) none may come in the first records
    const expected = flags.includes('--incidents-per-day')
      ? plan.generation.streams
      : plan.generation.streams.filter((s) => s !== 'incidents');
    expect([...new Set(sent.map((r) => r.stream))]).toEqual(expect.arrayContaining(expected));
  });

  it('sends only values valid for their stream`s Avro contract', () => {
    const invalid: string[] = [];
    for (const r of sent) {
      if (r.kind !== 'reading') continue;
      avroTypeOf(STREAM_CONTRACTS[r.stream]).isValid(r.value, {
        errorHook: (path, value) =>
          invalid.push(`${r.stream} #${r.seq} ${path.join('.')}=${String(value)}`),
      });
    }
    expect(invalid.slice(0, 3)).toEqual([]);
  });
});
