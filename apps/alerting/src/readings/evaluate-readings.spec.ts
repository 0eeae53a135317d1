import { Metrics } from '@citypulse/observability';
import { AlertEngine } from '../engine/alert-engine';
import { AlertingMetrics } from '../metrics';
import { rulesWith, T0, traffic } from '../testing/fixtures';
import { EvaluateReadings, type AlertOutput } from './evaluate-readings';

describe('EvaluateReadings', () => {
  const rules = rulesWith((r) => {
    for (const k of Object.keys(r))
      if (typeof r[k] === 'object' && k !== 'severe_congestion') r[k].enabled = false;
    r.severe_congestion.min_readings = 1;
  });

  function setup(send: AlertOutput['send']) {
    const metrics = new Metrics({ service: 'alerting-spec', defaultMetrics: false });
    const use = new EvaluateReadings(
      new AlertEngine(rules),
      { send },
      new AlertingMetrics(metrics),
      () => T0 + 50,
    );
    return { use, metrics };
  }

  it('writes the alerts of a batch keyed by alert id and returns only once they are acknowledged', async () => {
    const sent: { key: string; status: string }[] = [];
    let acknowledged = false;
    const { use, metrics } = setup(async (records) => {
      await new Promise((r) => setTimeout(r, 5));
      sent.push(...records.map((r) => ({ key: r.key, status: r.value.status })));
      acknowledged = true;
    });
    const alerts = await use.execute(
      {
        kind: 'traffic',
        readings: [traffic({ sensor_id: 'S', t: T0, speed_kmh: 1, ingested_at: T0 + 10 })],
      },
      'traffic.normalized',
    );
    expect(acknowledged).toBe(true);
    expect(sent).toEqual([{ key: alerts[0].alert_id, status: 'FIRING' }]);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(
      /citypulse_alerts_total\{[^}]*rule="traffic.severe_congestion"[^}]*status="FIRING"[^}]*\} 1/,
    );
    expect(text).toMatch(/citypulse_alerts_open\{[^}]*\} 1/);
    // ingested at T0+10, acknowledged at T0+50: 0.04 s, in the 0.05 bucket
    expect(text).toMatch(
      /citypulse_alerting_event_to_alert_seconds_bucket\{le="0.05"[^}]*rule="traffic.severe_congestion"[^}]*\} 1/,
    );
  });

  it('sends nothing for a batch without alerts', async () => {
    let calls = 0;
    const { use } = setup(() => {
      calls++;
      return Promise.resolve();
    });
    expect(
      await use.execute({ kind: 'traffic', readings: [traffic({ sensor_id: 'S', t: T0 })] }, 't'),
    ).toEqual([]);
    expect(calls).toBe(0);
  });

  it('fails when the alerts cannot be written, and writes them with the retry of the batch', async () => {
    const sent: string[] = [];
    let fail = true;
    const { use } = setup((records) => {
      if (fail) return Promise.reject(new Error('broker down'));
      sent.push(...records.map((r) => r.value.event_id));
      return Promise.resolve();
    });
    const batch = {
      kind: 'traffic' as const,
      readings: [traffic({ sensor_id: 'S', t: T0, speed_kmh: 1 })],
    };
    await expect(use.execute(batch, 't')).rejects.toThrow('broker down'); // nothing committed
    fail = false;
    // the consumer retries the same batch: the episode is already open in memory, yet its FIRING
    // is written now, once
    const alerts = await use.execute(batch, 't');
    expect(alerts.map((a) => a.status)).toEqual(['FIRING']);
    expect(sent).toEqual([alerts[0].event_id]);
    await use.execute(batch, 't');
    expect(sent).toHaveLength(1);
  });
});
