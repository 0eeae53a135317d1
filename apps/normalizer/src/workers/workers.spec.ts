import { loadConfig } from '@citypulse/config';
import { contractOf } from '@citypulse/contracts';
import { normalizerConfigSchema, WORKER_NAMES } from '../config/normalizer.config';
import { WorkerModule } from '../runtime/worker.module';
import { STREAMS, workerModule } from './workers';

const stack = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
  POSTGRES_URL: 'postgres://u:p@127.0.0.1:5432/db',
};

describe('workers', () => {
  it.each(WORKER_NAMES)('builds the %s worker on the runtime', (worker) => {
    const config = loadConfig(normalizerConfigSchema, { ...stack, NORMALIZER_WORKER: worker });
    const mod = workerModule(config);
    expect(mod.module).toBe(WorkerModule);
    expect(mod.controllers).toHaveLength(1);
  });

  it.each(Object.entries(STREAMS))('defines %s consistently', (worker, stream) => {
    expect(stream.name).toBe(worker);
    const reasons: readonly string[] = stream.rejectReasons;
    expect(new Set(reasons).size).toBe(reasons.length);
    for (const miss of stream.referenceMisses) expect(reasons).toContain(miss);
    for (const reason of reasons) expect(reason).toMatch(/^[a-z_]+$/);
    // Both ends are contracts, and the normalized one is keyed the same way as the raw one.
    expect(contractOf(stream.normalized).keyFields).toEqual(contractOf(stream.raw).keyFields);
  });
});
