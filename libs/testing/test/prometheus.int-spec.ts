// Integration test against the local stack's Prometheus (deploy/local/services/prometheus): it is
// ready, scrapes itself successfully, and its scrape targets carry the ports from the env file
// (the config is rendered from deploy/prometheus/prometheus.yml at start).
import { stackEnv, waitFor } from '../src';

const env = stackEnv();
const base = env.PROMETHEUS_URL.replace(/\/$/, '');

interface Target {
  labels: { job: string; instance: string };
  health: 'up' | 'down' | 'unknown';
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
  const body = (await res.json()) as { status: string; data: T };
  if (body.status !== 'success') throw new Error(`GET ${path}: status ${body.status}`);
  return body.data;
}

describe('Prometheus (local stack)', () => {
  it('is ready', async () => {
    const res = await fetch(`${base}/-/ready`, { signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
  });

  it('reports its own scrape target up', async () => {
    // A freshly started Prometheus has not scraped yet; wait for the first scrape (5 s interval).
    const self = await waitFor(
      async () => {
        const { activeTargets } = await getJson<{ activeTargets: Target[] }>('/api/v1/targets');
        return activeTargets.find((t) => t.labels.job === 'prometheus' && t.health === 'up');
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'the prometheus target to be up' },
    );
    expect(self.labels.instance).toBe(`127.0.0.1:${env.PROMETHEUS_PORT}`);

    const up = await waitFor(
      async () => {
        const data = await getJson<{ result: { value: [number, string] }[] }>(
          `/api/v1/query?query=${encodeURIComponent('up{job="prometheus"}')}`,
        );
        return data.result.length > 0 ? data.result : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'up{job="prometheus"} to have a sample' },
    );
    expect(up.map((r) => r.value[1])).toEqual(['1']);
  });

  it("scrapes the services' metrics ports from the env file", async () => {
    const { activeTargets } = await getJson<{ activeTargets: Target[] }>('/api/v1/targets');
    const byJob = Object.fromEntries(activeTargets.map((t) => [t.labels.job, t.labels.instance]));
    expect(byJob).toMatchObject({
      'sensor-generator': `127.0.0.1:${env.SENSOR_GENERATOR_METRICS_PORT}`,
      normalizer: `127.0.0.1:${env.NORMALIZER_METRICS_PORT}`,
      'aggregation-sink': `127.0.0.1:${env.AGGREGATION_SINK_METRICS_PORT}`,
      spark: `127.0.0.1:${env.SPARK_METRICS_PORT}`,
    });
  });
});
