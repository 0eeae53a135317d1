import { ConfigError, loadConfig } from '@citypulse/config';
import { FlagError } from '@citypulse/simulation';
import { replayConfigSchema, replayOptions, withFlags } from './replay.config';

const STACK = { KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081' };
const load = (argv: string[], env: Record<string, string> = {}) =>
  loadConfig(replayConfigSchema, withFlags(argv, { ...STACK, ...env }));

describe('replay config', () => {
  it('reads the flags into the replay`s options, with the defaults', () => {
    const c = load(['--stream', 'Transport', '--file', 'samples/transport.jsonl', '--speed', '60']);
    expect(replayOptions(c.replay, '/repo')).toEqual({
      stream: 'transport',
      file: 'samples/transport.jsonl',
      baseDir: '/repo',
      format: undefined,
      pace: 'recorded',
      speed: 60,
      topic: undefined,
      limit: 0,
      batchSize: 500,
      dryRun: false,
    });
    expect(c.metrics.port).toBe(0);
  });

  it('takes a relative file from where pnpm was started (INIT_CWD)', () => {
    const c = load(['--stream', 'traffic', '--file', 'x.csv', '--pace', 'max', '--dry-run'], {
      INIT_CWD: '/home/me',
    });
    expect(replayOptions(c.replay, '/repo')).toMatchObject({
      baseDir: '/home/me',
      pace: 'max',
      dryRun: true,
    });
  });

  it('lists every bad variable: no stream, a format neither given nor in the extension, a bad pace', () => {
    const run = () => load(['--file', 'rows.txt', '--pace', 'slow', '--speed', '0']);
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/REPLAY_STREAM[\s\S]*REPLAY_PACE[\s\S]*REPLAY_SPEED/);
    expect(() => load(['--stream', 'traffic', '--file', 'rows.txt'])).toThrow(/REPLAY_FORMAT/);
    expect(
      load(['--stream', 'traffic', '--file', 'rows.txt', '--format', 'csv']).replay,
    ).toMatchObject({ REPLAY_FORMAT: 'csv' });
  });

  it('refuses an unknown flag', () => {
    expect(() => load(['--stream', 'traffic', '--rate', '5'])).toThrow(FlagError);
  });
});
