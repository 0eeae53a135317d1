import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Alert, TrafficReadingNormalized } from '@citypulse/contracts';
import { SWC_REGISTER, waitFor } from '@citypulse/testing';
import { traffic } from '../src/testing/fixtures';
import { AlertingHarness, testRules } from './harness';

jest.setTimeout(180_000);

interface Child {
  proc: ChildProcess;
  ready: Promise<void>;
  exited: Promise<NodeJS.Signals | null>;
  stderr: () => string;
}

function startChild(env: Record<string, string>): Child {
  const proc = spawn(
    process.execPath,
    ['-r', SWC_REGISTER, join(__dirname, 'support', 'alerting-child.ts')],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('"ready":true')) resolve();
    });
    proc.on('exit', (code) => reject(new Error(`alerting child exited ${code}: ${err}`)));
  });
  const exited = new Promise<NodeJS.Signals | null>((r) =>
    proc.on('exit', (_c, signal) => r(signal)),
  );
  return { proc, ready, exited, stderr: () => err };
}

/**
 * kill -9 in the middle of an episode, restart: exactly one FIRING and one RESOLVED. The cooldown
 * is 0, so an instance that forgot the episode would fire again at the next jammed reading (and
 * the readings the killed one had not committed are evaluated again after the restart).
 */
describe('alerting restart after kill -9', () => {
  const h = new AlertingHarness();
  const children: Child[] = [];
  let alerts: Alert[];
  const t0 = Date.now() - 3600_000;

  const reading = (i: number, speed: number): TrafficReadingNormalized =>
    traffic({
      event_id: `${h.prefix}-tr-${i}`,
      t: t0 + i * 2_000,
      sensor_id: 'S-R1',
      zone_id: 'ZR',
      speed_kmh: speed,
    }).value;

  beforeAll(async () => {
    await h.setup();
  });

  afterAll(async () => {
    for (const c of children) {
      if (c.proc.exitCode === null && c.proc.signalCode === null) {
        c.proc.kill('SIGKILL');
        await c.exited;
      }
    }
    await h.teardown();
  });

  it('announces the episode once and still resolves it', async () => {
    const rules = testRules(['severe_congestion'], (r) => {
      Object.assign(r.severe_congestion, {
        window_seconds: 4,
        min_readings: 1,
        cooldown_seconds: 0,
      });
    });
    const env = {
      ...(process.env as Record<string, string>),
      ...h.serviceEnv({ ALERTING_RULES_FILE: rules }),
      IT_TOPICS: JSON.stringify(h.topics),
    };
    const first = startChild(env);
    children.push(first);
    await first.ready; // the service created its topics
    alerts = await h.alerts();
    await h.send(
      'trafficNormalized',
      h.topics.traffic,
      Array.from({ length: 20 }, (_, i) => reading(i, 1)),
    );
    await waitFor(() => alerts.some((a) => a.status === 'FIRING'), { what: 'the FIRING' });
    first.proc.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = startChild(env);
    children.push(second);
    await second.ready;
    // still jammed (an instance that forgot would fire again here), then free flow
    await h.send('trafficNormalized', h.topics.traffic, [
      ...Array.from({ length: 10 }, (_, i) => reading(20 + i, 1)),
      ...Array.from({ length: 6 }, (_, i) => reading(30 + i, 40)),
    ]);
    await waitFor(() => alerts.some((a) => a.status === 'RESOLVED'), { what: 'the RESOLVED' });
    await waitFor(() => h.inputsCommitted(), { what: 'every reading committed' });

    expect(alerts.map((a) => a.status)).toEqual(['FIRING', 'RESOLVED']);
    expect(alerts[0].alert_id).toBe(alerts[1].alert_id);
    expect(alerts[0].event_time).toBe(t0); // the first jammed reading opened it
    expect(alerts[1].event_time).toBe(t0 + 30 * 2_000); // the first free-flowing one closed it

    // and PostgreSQL, fed by the second instance, holds the closed episode
    const pool = h.pool();
    await waitFor(
      async () => (await pool.query(`SELECT status FROM alerts`)).rows[0]?.status === 'RESOLVED',
      { what: 'the alert RESOLVED in PostgreSQL' },
    );
    expect(Number((await pool.query('SELECT count(*) AS n FROM alert_events')).rows[0].n)).toBe(2);
  });
});
