import { Metrics } from '@citypulse/observability';
import { AlertEngine, RULES } from '../engine/alert-engine';
import type { SlidingWindow } from '../engine/sliding-window';
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

  describe('a batch retried after a failed write is applied once', () => {
    const stuckRules = rulesWith((r) => {
      for (const k of Object.keys(r))
        if (typeof r[k] === 'object' && k !== 'severe_congestion' && k !== 'stuck_sensor')
          r[k].enabled = false;
      r.severe_congestion.min_readings = 1;
      r.stuck_sensor.readings = 10;
    });
    const zoneCount = (e: AlertEngine, zone: string) =>
      (e as unknown as { zones: Map<string, SlidingWindow> }).zones.get(zone)?.count;

    function flaky(failures: number, rules = stuckRules) {
      const sent: string[] = [];
      const engine = new AlertEngine(rules);
      const metrics = new AlertingMetrics(
        new Metrics({ service: 'alerting-spec', defaultMetrics: false }),
      );
      const use = new EvaluateReadings(
        engine,
        {
          send: (records) => {
            if (failures-- > 0) return Promise.reject(new Error('broker down'));
            sent.push(
              ...records.map((r) => `${r.value.status} ${r.value.rule} ${r.value.subject_id}`),
            );
            return Promise.resolve();
          },
        },
        metrics,
        () => T0,
      );
      return { use, engine, sent };
    }

    // the reviewer's case: 6 identical readings of S1 (the stuck rule wants 10) and a congestion
    // reading that makes the batch write an alert
    const batch = {
      kind: 'traffic' as const,
      readings: [
        ...Array.from({ length: 6 }, (_, i) =>
          traffic({ sensor_id: 'S1', zone_id: 'Z01', t: T0 + i * 1000, speed_kmh: 40 }),
        ),
        traffic({ sensor_id: 'S2', zone_id: 'Z02', t: T0 + 6000, speed_kmh: 1 }),
      ],
    };

    it('leaves the engine as one delivery does: no stuck sensor from 6 readings, windows counted once', async () => {
      const once = flaky(0);
      await once.use.execute(batch, 't');
      expect(once.sent).toEqual([`FIRING ${RULES.severeCongestion} Z02`]);

      const retried = flaky(2);
      await expect(retried.use.execute(batch, 't')).rejects.toThrow('broker down');
      await expect(retried.use.execute(batch, 't')).rejects.toThrow('broker down');
      await retried.use.execute(batch, 't');
      expect(retried.sent).toEqual([`FIRING ${RULES.severeCongestion} Z02`]);
      expect(zoneCount(retried.engine, 'Z01')).toBe(6);
      expect(zoneCount(retried.engine, 'Z02')).toBe(1);
      expect(retried.engine).toEqual(once.engine); // every window, run counter and baseline
      const twice = new AlertEngine(stuckRules); // (the comparison sees a batch applied twice)
      twice.traffic(batch.readings);
      twice.traffic(batch.readings);
      expect(twice).not.toEqual(once.engine);

      // and the readings that follow count from there: 4 more make 10, the stuck sensor fires
      const more = {
        kind: 'traffic' as const,
        readings: Array.from({ length: 4 }, (_, i) =>
          traffic({ sensor_id: 'S1', zone_id: 'Z01', t: T0 + (7 + i) * 1000, speed_kmh: 40 }),
        ),
      };
      await retried.use.execute(more, 't');
      expect(retried.sent).toEqual([
        `FIRING ${RULES.severeCongestion} Z02`,
        `FIRING ${RULES.stuckSensor} S1`,
      ]);
    });

    it('applies each reading once when the retry brings only a part of the batch, the rest later', async () => {
      const later = {
        kind: 'traffic' as const,
        readings: Array.from({ length: 3 }, (_, i) =>
          traffic({ sensor_id: 'S3', zone_id: 'Z01', t: T0 + (7 + i) * 1000, speed_kmh: 30 }),
        ),
      };
      const once = flaky(0);
      await once.use.execute(batch, 't');
      await once.use.execute(later, 't');

      // a re-fetch after the failure cuts the records differently
      const retried = flaky(1);
      await expect(retried.use.execute(batch, 't')).rejects.toThrow('broker down');
      await retried.use.execute({ kind: 'traffic', readings: batch.readings.slice(0, 4) }, 't');
      await retried.use.execute(
        { kind: 'traffic', readings: [...batch.readings.slice(4), ...later.readings] },
        't',
      );
      expect(retried.sent).toEqual(once.sent);
      expect(zoneCount(retried.engine, 'Z01')).toBe(9);
      expect(retried.engine).toEqual(once.engine);
    });

    it('counts the dead letters of a retried DLQ batch once in the DLQ rate', async () => {
      const dlqRules = rulesWith((r) => {
        for (const k of Object.keys(r))
          if (typeof r[k] === 'object' && k !== 'dlq_rate') r[k].enabled = false;
        r.dlq_rate.min_records = 10;
      });
      const clean = {
        kind: 'traffic' as const,
        readings: Array.from({ length: 20 }, (_, i) =>
          traffic({ sensor_id: `S${i % 4}`, t: T0 + i * 100 }),
        ),
      };
      const dead = {
        kind: 'deadLetters' as const,
        source: 'traffic' as const,
        topic: 'traffic.raw.dlq',
        partition: 0,
        records: Array.from({ length: 5 }, (_, i) => ({ offset: String(i), timestamp: T0 + 3000 })),
      };
      const once = flaky(0, dlqRules);
      await once.use.execute(clean, 't');
      await once.use.execute(dead, dead.topic);
      expect(once.sent).toEqual([`FIRING ${RULES.dlqRate} traffic`]);

      const retried = flaky(1, dlqRules);
      await retried.use.execute(clean, 't');
      await expect(retried.use.execute(dead, dead.topic)).rejects.toThrow('broker down');
      await retried.use.execute(dead, dead.topic);
      expect(retried.sent).toEqual(once.sent);
      expect(retried.engine).toEqual(once.engine);
    });
  });
});
