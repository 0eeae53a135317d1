import { Health, type HealthReport } from './health';
import { Metrics } from './metrics';
import { ObservabilityServer, startObservabilityServer } from './server';

describe('ObservabilityServer (real HTTP on an ephemeral port)', () => {
  let server: ObservabilityServer;
  let base: string;

  beforeEach(async () => {
    const metrics = new Metrics({ service: 'test-svc', defaultMetrics: false });
    server = await startObservabilityServer({ metrics, port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${server.port}`;
  });

  afterEach(async () => {
    await server.stop();
  });

  it('serves /metrics in the Prometheus text format', async () => {
    server.metrics.consumed('traffic.raw', 3, 2);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toContain(
      'citypulse_records_consumed_total{topic="traffic.raw",partition="2",service="test-svc"} 3',
    );
  });

  it('answers liveness with 200 whatever readiness says', async () => {
    server.health.addCheck('kafka', () => false);
    const res = await fetch(`${base}/health/live`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', service: 'test-svc' });
  });

  it('is ready (200) with no checks, and when every check passes', async () => {
    let res = await fetch(`${base}/health/ready`);
    expect(res.status).toBe(200);
    server.health.addCheck('kafka', () => true);
    server.health.addCheck('postgres', () => Promise.resolve({ ok: true, detail: 'pool 2/10' }));
    res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'ok',
      service: 'test-svc',
      checks: { kafka: { ok: true }, postgres: { ok: true, detail: 'pool 2/10' } },
    });
  });

  it('is not ready (503) while a check fails, throws or hangs, with the reason per check', async () => {
    const kafka = server.health.flag('kafka');
    server.health.addCheck('mongo', () => {
      throw new Error('connection refused');
    });
    let res = await fetch(`${base}/health/ready`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: 'unavailable',
      checks: {
        kafka: { ok: false, detail: 'starting' },
        mongo: { ok: false, detail: 'connection refused' },
      },
    });

    kafka.set(true);
    server.health.removeCheck('mongo');
    res = await fetch(`${base}/health/ready`);
    expect(res.status).toBe(200);

    kafka.set(false, 'consumer crashed');
    res = await fetch(`${base}/health/ready`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as HealthReport).checks.kafka).toEqual({
      ok: false,
      detail: 'consumer crashed',
    });
  });

  it('bounds a hanging check by the timeout', async () => {
    const metrics = new Metrics({ service: 'slow', defaultMetrics: false });
    const health = new Health('slow', 50);
    health.addCheck('stuck', () => new Promise<boolean>(() => undefined));
    const slow = await startObservabilityServer({ metrics, health, port: 0, host: '127.0.0.1' });
    try {
      const res = await fetch(`http://127.0.0.1:${slow.port}/health/ready`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as HealthReport).checks.stuck.detail).toMatch(/timed out/);
    } finally {
      await slow.stop();
    }
  });

  it('answers 404 and 405 for anything else', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('fails to start on a port already taken', async () => {
    const other = new ObservabilityServer({
      metrics: new Metrics({ service: 'dup', defaultMetrics: false }),
      port: server.port,
      host: '127.0.0.1',
    });
    await expect(other.start()).rejects.toThrow(/EADDRINUSE/);
  });

  it('binds this host only unless told otherwise', async () => {
    const local = await startObservabilityServer({
      metrics: new Metrics({ service: 'local', defaultMetrics: false }),
      port: 0,
    });
    try {
      expect(local['server'].address()).toMatchObject({ address: '127.0.0.1' });
    } finally {
      await local.stop();
    }
  });
});
