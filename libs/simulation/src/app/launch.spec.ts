import { z } from 'zod';
import { simulationConfig, simulationFlags } from '../config/simulation-config';
import { simulationEnv, simulationSettings } from '../config/simulation-env';
import { ExitCodeError, exitFor, runSimulationApp, type SimulationApp } from './launch';

// A toy source's launch: its own TOY_* run variables and flags on the shared config sections.
const toyShape = { ...simulationEnv('TOY_'), TOY_COLOUR: z.enum(['red', 'blue']).default('red') };
const schema = simulationConfig({
  clientId: 'toy',
  metricsPort: { variable: 'TOY_METRICS_PORT', default: 0 },
  section: 'toy',
  env: z.object(toyShape),
});
type ToyConfig = z.output<typeof schema>;
const flags = simulationFlags({
  command: 'toy',
  prefix: 'TOY_',
  variables: Object.keys(toyShape),
});

/** Thrown by the stubbed process.exit where the real one would end the launch half-way. */
class Exited extends Error {}

interface Launched {
  code: number;
  started: ToyConfig[];
  closed: number;
  stdout: string;
  stderr: string;
  errors: string[];
  logs: string[];
}

/**
 * Runs runSimulationApp with these arguments until it calls process.exit, and says with which
 * code, what it printed and logged, and whether the app was started and closed.
 */
async function launch(
  argv: string[],
  run: (signal: AbortSignal) => Promise<unknown> = () => Promise.resolve(),
  whileRunning?: () => void,
): Promise<Launched> {
  const out: Launched = {
    code: -1,
    started: [],
    closed: 0,
    stdout: '',
    stderr: '',
    errors: [],
    logs: [],
  };
  const signalListeners = {
    SIGINT: process.listeners('SIGINT'),
    SIGTERM: process.listeners('SIGTERM'),
  };
  const savedArgv = process.argv;
  process.argv = ['node', 'toy', ...argv];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((t) => {
    out.stdout += String(t);
    return true;
  });
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((t) => {
    out.stderr += String(t);
    return true;
  });
  try {
    await new Promise<void>((resolve) => {
      jest.spyOn(process, 'exit').mockImplementation((code) => {
        if (out.code === -1) out.code = Number(code ?? 0);
        resolve();
        // the real exit never returns: stop the launch where it is (its error handler exits again)
        if (code === 64 || code === 78) throw new Exited();
        return undefined as never;
      });
      runSimulationApp<ToyConfig>({
        service: 'toy',
        logger: { log: (m) => out.logs.push(m), error: (m) => out.errors.push(m) },
        flags,
        schema,
        dryRun: () => true,
        start: ({ config }): Promise<SimulationApp> => {
          out.started.push(config);
          whileRunning?.();
          return Promise.resolve({
            run,
            close: () => {
              out.closed++;
              return Promise.resolve();
            },
          });
        },
      });
    });
    // the error handler's own exit follows the first one
    await new Promise((r) => setImmediate(r));
  } finally {
    jest.restoreAllMocks();
    stdout.mockRestore();
    stderr.mockRestore();
    process.argv = savedArgv;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      for (const l of process.listeners(signal)) {
        if (!signalListeners[signal].includes(l)) process.removeListener(signal, l);
      }
    }
  }
  return out;
}

const STACK = { KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081' };

describe('runSimulationApp', () => {
  const saved = { ...process.env };
  beforeEach(() => Object.assign(process.env, STACK));
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('--help prints every flag and exits 0 without starting', async () => {
    const r = await launch(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: toy \[flags\]/);
    expect(r.stdout).toContain('--colour  (TOY_COLOUR)');
    expect(r.stdout).toContain('--duration  (TOY_DURATION_SECONDS)');
    expect(r.started).toHaveLength(0);
  });

  it('exits 64 on an unknown flag or a flag without its value, naming each, without starting', async () => {
    const r = await launch(['--colour', 'red', '--speed', '3', '--seed']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('unknown flag --speed');
    expect(r.stderr).toContain('--seed needs a value');
    expect(r.stderr).toContain('usage: toy');
    expect(r.started).toHaveLength(0);
  });

  it('exits 78 on a bad configuration, listing every bad variable, without starting', async () => {
    const r = await launch(['--colour', 'green', '--events', '-1', '--duplicates', '2']);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/invalid configuration \(3 problems\)/);
    expect(r.stderr).toMatch(/TOY_COLOUR/);
    expect(r.stderr).toMatch(/TOY_EVENTS/);
    expect(r.stderr).toMatch(/TOY_DUPLICATES/);
    expect(r.started).toHaveLength(0);
  });

  it('lays flags over the environment, runs once, closes and exits 0', async () => {
    process.env.TOY_COLOUR = 'red';
    process.env.TOY_SEED = 'from-env';
    const r = await launch(['--colour', 'blue', '--rate', 'max', '--duration=2.5', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.started).toHaveLength(1);
    const toy = r.started[0].toy;
    expect(toy.TOY_COLOUR).toBe('blue');
    expect(simulationSettings('TOY_', toy)).toMatchObject({
      seed: 'from-env',
      rate: Infinity,
      durationSeconds: 2.5,
      dryRun: true,
    });
    expect(r.closed).toBe(1);
  });

  it('logs the config it starts with, secrets masked', async () => {
    process.env.KAFKA_SASL_MECHANISM = 'SCRAM-SHA-512';
    process.env.KAFKA_SASL_USERNAME = 'svc';
    process.env.KAFKA_SASL_PASSWORD = 'kafka-pw-1';
    process.env.SCHEMA_REGISTRY_USERNAME = 'reg';
    process.env.SCHEMA_REGISTRY_PASSWORD = 'reg-pw-2';
    const r = await launch(['--dry-run']);
    expect(r.code).toBe(0);
    const line = r.logs.find((l) => l.startsWith('config: '));
    expect(JSON.parse(line!.slice('config: '.length))).toMatchObject({
      kafka: { sasl: { mechanism: 'scram-sha-512', username: 'svc', password: '***' } },
      registry: { auth: { username: 'reg', password: '***' } },
    });
    expect(r.logs.join('\n')).not.toMatch(/kafka-pw-1|reg-pw-2/);
  });

  it('exits 1 when the run fails, logging the stack, and still closes the app', async () => {
    const r = await launch([], () => Promise.reject(new Error('broker gone')));
    expect(r.code).toBe(1);
    expect(r.errors[0]).toMatch(/^Error: broker gone\n\s+at /);
    expect(r.closed).toBe(1);
  });

  it("exits with an ExitCodeError's own code, logging its message only", async () => {
    const r = await launch([], () => Promise.reject(new ExitCodeError('cannot read x.csv', 66)));
    expect(r.code).toBe(66);
    expect(r.errors).toEqual(['cannot read x.csv']);
    expect(r.closed).toBe(1);
  });

  it('SIGTERM aborts the run, which ends it: exit 0', async () => {
    let seen: AbortSignal | undefined;
    const r = await launch(
      [],
      (signal) =>
        new Promise((resolve) => {
          seen = signal;
          signal.addEventListener('abort', resolve, { once: true });
        }),
      () => setTimeout(() => process.emit('SIGTERM'), 50),
    );
    expect(seen?.aborted).toBe(true);
    expect(r.code).toBe(0);
    expect(r.closed).toBe(1);
  });
});

describe('exitFor', () => {
  it('is the error`s own code for an ExitCodeError and 1 for anything else', () => {
    expect(exitFor(new ExitCodeError('bad header', 65))).toEqual({
      code: 65,
      message: 'bad header',
    });
    expect(exitFor('text')).toEqual({ code: 1, message: 'text' });
    expect(exitFor(new Error('x'))).toMatchObject({
      code: 1,
      message: expect.stringMatching(/^Error: x/),
    });
  });
});
