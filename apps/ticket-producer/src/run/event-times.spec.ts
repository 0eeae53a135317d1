import { loadConfig } from '@citypulse/config';
import { avroTypeOf } from '@citypulse/contracts';
import { producerConfigSchema, withFlags } from '../config/producer.config';
import { testCity } from '../testing/city';
import { generateTickets } from '../tickets/generate';
import { planRun } from './plan';

const stack = { KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081' };
const NOW = Date.UTC(2024, 5, 15, 13, 0);

// The tickets run on libs/simulation's clock too: a rate or a speed-up makes their arrival times
// fractional, and what is sent must still be whole milliseconds, valid for the contract.
describe.each([['--rate 500'], ['--rate 37'], ['--speedup 60'], ['--speedup 7.3']])(
  'a ticket run with %s',
  (flags) => {
    const config = loadConfig(producerConfigSchema, withFlags(flags.split(' '), stack));
    const plan = planRun(config.producer, testCity(), NOW);
    const sent = [...generateTickets(plan.generation, 5_000)];

    it('has event times in whole milliseconds, valid for the Avro contract', () => {
      const invalid: string[] = [];
      for (const r of sent) {
        if (r.kind !== 'reading') continue;
        if (!Number.isInteger(r.value.event_time)) invalid.push(`#${r.seq} not whole ms`);
        avroTypeOf('ticketsRaw').isValid(r.value, {
          errorHook: (path, value) => invalid.push(`#${r.seq} ${path.join('.')}=${String(value)}`),
        });
      }
      expect(sent).toHaveLength(5_000);
      expect(invalid.slice(0, 3)).toEqual([]);
    });
  },
);
