import type { Alert } from '@citypulse/contracts';
import { incident, rulesWith, T0, traffic, vehicle } from '../testing/fixtures';
import { AlertEngine, RULES } from './alert-engine';

const S = 1000;
/** A rules file with only the named rules enabled (so each spec sees its own rule's alerts). */
function only(
  names: string[],
  change: (r: Record<string, Record<string, unknown>>) => void = () => undefined,
) {
  return rulesWith((r) => {
    for (const k of Object.keys(r))
      if (typeof r[k] === 'object' && !names.includes(k)) r[k].enabled = false;
    change(r);
  });
}
const brief = (a: Alert) => `${a.status} ${a.rule} ${a.subject_id}`;

describe('severe congestion (zone average over an event-time window)', () => {
  const rules = only(['severe_congestion'], (r) => {
    r.severe_congestion.window_seconds = 60;
    r.severe_congestion.min_readings = 2;
    r.severe_congestion.cooldown_seconds = 120;
  });
  /** one reading per 10 s from two sensors of zone Z01 at these speeds */
  const feed = (e: AlertEngine, speeds: number[], from = T0) =>
    speeds.flatMap((v, i) =>
      e.traffic([
        traffic({ sensor_id: 'S1', t: from + i * 10 * S, speed_kmh: v }),
        traffic({ sensor_id: 'S2', t: from + i * 10 * S + 1, speed_kmh: v }),
      ]),
    );

  it('fires once when the average drops below 5 km/h and resolves once above 8', () => {
    const e = new AlertEngine(rules);
    const alerts = feed(e, [30, 30, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 20, 20, 20, 20, 20, 20, 20]);
    expect(alerts.map(brief)).toEqual([
      `FIRING ${RULES.severeCongestion} Z01`,
      `RESOLVED ${RULES.severeCongestion} Z01`,
    ]);
    const [fire, resolve] = alerts;
    expect(fire.alert_id).toBe(resolve.alert_id);
    expect(fire.value).toBeLessThan(5);
    expect(fire.alert_type).toBe('SEVERE_CONGESTION');
    expect(resolve.value).toBeGreaterThan(8);
    expect(resolve.fired_at).toBe(fire.event_time);
    expect(fire.event_id).not.toBe(resolve.event_id);
  });

  it('does not flap while the average hovers between the firing and the resolve level', () => {
    const e = new AlertEngine(rules);
    const hovering = Array.from({ length: 40 }, (_, i) => (i % 2 ? 4.5 : 7.5));
    const alerts = feed(e, [1, 1, 1, 1, 1, 1, 1, ...hovering]);
    expect(alerts.map(brief)).toEqual([`FIRING ${RULES.severeCongestion} Z01`]);
  });

  it('stays quiet during the cooldown after a resolution, then may fire again', () => {
    const e = new AlertEngine(rules);
    const first = feed(e, [1, 1, 1, 1, 1, 1, 1, 30, 30, 30, 30, 30, 30, 30]);
    expect(first.map((a) => a.status)).toEqual(['FIRING', 'RESOLVED']);
    const resolvedAt = first[1].event_time;
    // congested again 60 s later: inside the 120 s cooldown
    const during = feed(e, [1, 1, 1, 1, 1, 1], resolvedAt + 10 * S);
    expect(during).toEqual([]);
    // still congested after the cooldown: a new episode with a new id
    const after = feed(e, [1, 1, 1, 1, 1, 1, 1], resolvedAt + 130 * S);
    expect(after.map((a) => a.status)).toEqual(['FIRING']);
    expect(after[0].alert_id).not.toBe(first[0].alert_id);
  });

  it('uses a zone override of the thresholds', () => {
    const e = new AlertEngine(
      only(['severe_congestion'], (r) => {
        r.severe_congestion.min_readings = 1;
        r.severe_congestion.overrides = { Z02: { fire_below: 20, resolve_above: 25 } };
      }),
    );
    const out = [
      ...e.traffic([traffic({ sensor_id: 'A', zone_id: 'Z01', t: T0, speed_kmh: 15 })]),
      ...e.traffic([traffic({ sensor_id: 'B', zone_id: 'Z02', t: T0, speed_kmh: 15 })]),
    ];
    expect(out.map(brief)).toEqual([`FIRING ${RULES.severeCongestion} Z02`]);
    expect(out[0].threshold).toBe(20);
  });

  it('never opens an alert from a reading later than the lateness bound', () => {
    const late: string[] = [];
    const e = new AlertEngine(
      only(['severe_congestion'], (r) => {
        r.severe_congestion.min_readings = 3;
        (r as unknown as { lateness_seconds: number }).lateness_seconds = 30;
      }),
      { late: (topic) => late.push(topic) },
    );
    expect(e.traffic([traffic({ sensor_id: 'S1', t: T0 + 600 * S, speed_kmh: 6 })])).toEqual([]);
    // a jam reading from 5 minutes ago arrives now: past the bound, dropped and counted
    expect(e.traffic([traffic({ sensor_id: 'S2', t: T0 + 300 * S, speed_kmh: 0 })])).toEqual([]);
    expect(late).toEqual(['traffic.normalized']);
    // out-of-order readings within the bound are evaluated (averaged into the window: 6, 0, 0)
    const out = e.traffic([
      traffic({ sensor_id: 'S2', t: T0 + 590 * S, speed_kmh: 0 }),
      traffic({ sensor_id: 'S3', t: T0 + 595 * S, speed_kmh: 0 }),
    ]);
    expect(out.map(brief)).toEqual([`FIRING ${RULES.severeCongestion} Z01`]);
  });
});

describe('overcapacity and crowded vehicles', () => {
  it('fires on a zone occupancy above 95 % and resolves below 90 %', () => {
    const e = new AlertEngine(only(['overcapacity'], (r) => (r.overcapacity.min_readings = 1)));
    const occ = [50, 96, 97, 99, 93, 94, 96, 89, 50];
    const out = occ.flatMap((o, i) =>
      // window 60 s, one reading per 61 s: the average is the reading itself
      e.traffic([traffic({ sensor_id: 'S1', t: T0 + i * 61 * S, occupancy_pct: o })]),
    );
    expect(out.map((a) => `${a.status} ${a.value}`)).toEqual(['FIRING 96', 'RESOLVED 89']);
    expect(out[0].alert_type).toBe('OVERCAPACITY');
  });

  it('fires per vehicle above 90 %, with a per-line override', () => {
    const e = new AlertEngine(
      only(['crowded_vehicle'], (r) => {
        r.crowded_vehicle.overrides = { L9: { fire_above: 98, resolve_below: 95 } };
      }),
    );
    const out = e.transport([
      vehicle({ vehicle_id: 'V1', t: T0, occupancy_pct: 92 }),
      vehicle({ vehicle_id: 'V2', line_id: 'L9', t: T0, occupancy_pct: 92 }),
      vehicle({ vehicle_id: 'V1', t: T0 + S, occupancy_pct: 85 }),
      vehicle({ vehicle_id: 'V1', t: T0 + 2 * S, occupancy_pct: 79 }),
      vehicle({ vehicle_id: 'V2', line_id: 'L9', t: T0 + S, occupancy_pct: 99 }),
    ]);
    expect(out.map(brief)).toEqual([
      `FIRING ${RULES.crowdedVehicle} V1`,
      `RESOLVED ${RULES.crowdedVehicle} V1`,
      `FIRING ${RULES.crowdedVehicle} V2`,
    ]);
  });
});

describe('critical incidents', () => {
  it('alerts at once on a CRITICAL report and resolves on its RESOLVED report, once each', () => {
    const e = new AlertEngine(only(['critical_incident']));
    const out = e.incidents([
      incident({ incident_id: 'I1', t: T0, severity: 'HIGH' }),
      incident({ incident_id: 'I2', t: T0, severity: 'CRITICAL' }),
      incident({ incident_id: 'I2', t: T0 + S, severity: 'CRITICAL', status: 'UPDATED' }),
      incident({ incident_id: 'I2', t: T0 + 2 * S, severity: 'CRITICAL', status: 'RESOLVED' }),
      incident({ incident_id: 'I1', t: T0 + 3 * S, severity: 'HIGH', status: 'RESOLVED' }),
    ]);
    expect(out.map(brief)).toEqual([
      `FIRING ${RULES.criticalIncident} I2`,
      `RESOLVED ${RULES.criticalIncident} I2`,
    ]);
    expect(out[0].severity).toBe('CRITICAL');
  });
});

describe('data quality', () => {
  it('reports a sensor silent for several reporting intervals, and its return', () => {
    const e = new AlertEngine(
      only(['silent_sensor'], (r) => {
        r.silent_sensor.reporting_interval_seconds = 10;
        r.silent_sensor.intervals = 3;
        (r as unknown as { lateness_seconds: number }).lateness_seconds = 5;
      }),
    );
    const out: Alert[] = [];
    for (let i = 0; i <= 12; i++) {
      const batch = [traffic({ sensor_id: 'A', t: T0 + i * 10 * S })];
      if (i <= 2 || i >= 10) batch.push(traffic({ sensor_id: 'B', t: T0 + i * 10 * S }));
      out.push(...e.traffic(batch));
    }
    expect(out.map(brief)).toEqual([
      `FIRING ${RULES.silentSensor} B`,
      `RESOLVED ${RULES.silentSensor} B`,
    ]);
    // silent since its reading at 20 s: past 3 x 10 s at 50 s, seen (with 5 s lateness slack) at 60 s
    expect(out[0].event_time).toBe(T0 + 50 * S);
    expect(out[1].event_time).toBe(T0 + 100 * S);
  });

  it('reports a sensor stuck on one value', () => {
    const e = new AlertEngine(only(['stuck_sensor'], (r) => (r.stuck_sensor.readings = 5)));
    const speeds = [30, 31, 30, 30, 30, 30, 30, 30, 30, 32];
    const out = speeds.flatMap((v, i) =>
      e.traffic([traffic({ sensor_id: 'S', t: T0 + i * S, speed_kmh: v, occupancy_pct: 12 })]),
    );
    expect(out.map((a) => `${a.status} ${a.event_time - T0}`)).toEqual([
      'FIRING 6000',
      'RESOLVED 9000',
    ]);
  });

  it('reports a source whose DLQ rate passes the threshold, and its recovery', () => {
    const e = new AlertEngine(
      only(['dlq_rate'], (r) => {
        r.dlq_rate.min_records = 100;
        r.dlq_rate.window_seconds = 10;
      }),
    );
    const ok = (from: number, n: number) =>
      e.traffic(
        Array.from({ length: n }, (_, i) => traffic({ sensor_id: `S${i % 7}`, t: from + i })),
      );
    const out: Alert[] = [...ok(T0, 200)];
    out.push(
      ...e.deadLetters(
        'traffic',
        Array.from({ length: 5 }, () => T0 + 300),
        'traffic.raw.dlq',
      ),
    );
    expect(out).toEqual([]); // 5 of 205: 2.4 %, under 5 %
    out.push(
      ...e.deadLetters(
        'traffic',
        Array.from({ length: 10 }, () => T0 + 400),
        'traffic.raw.dlq',
      ),
    );
    expect(out.map(brief)).toEqual([`FIRING ${RULES.dlqRate} traffic`]); // 15 of 215
    // 20 s later the window holds only clean records
    out.push(...ok(T0 + 20 * S, 150));
    expect(out.map(brief)).toEqual([
      `FIRING ${RULES.dlqRate} traffic`,
      `RESOLVED ${RULES.dlqRate} traffic`,
    ]);
  });
});

describe('anomaly per sensor against its own baseline', () => {
  const rules = only(['anomaly'], (r) => {
    r.anomaly.warmup_readings = 30;
    r.anomaly.consecutive = 3;
    r.anomaly.cooldown_seconds = 0;
  });
  /** readings 30 s apart within one hour of the day */
  const at = (i: number) => T0 + i * 30 * S;

  it('says nothing while warming up, even for wild values', () => {
    const e = new AlertEngine(rules);
    const out = [40, 41, 0, 0, 0, 0, 39, 40].flatMap((v, i) =>
      e.traffic([traffic({ sensor_id: 'S', t: at(i), speed_kmh: v })]),
    );
    expect(out).toEqual([]);
  });

  it('fires after several consecutive far readings, not on one, and resolves when they return', () => {
    const e = new AlertEngine(rules);
    const normal = Array.from({ length: 40 }, (_, i) => 40 + (i % 5) - 2);
    const seq = [...normal, 5, 40, 5, 5, 5, 5, 40, 41, 39, 40];
    const out = seq.flatMap((v, i) =>
      e.traffic([traffic({ sensor_id: 'S', t: at(i), speed_kmh: v })]),
    );
    expect(out.map((a) => `${a.status} ${(a.event_time - T0) / 30 / S}`)).toEqual([
      'FIRING 44', // the third far reading in a row (42, 43, 44)
      'RESOLVED 48', // the third normal one
    ]);
    expect(out[0].alert_type).toBe('ANOMALY');
    expect(Math.abs(out[0].value!)).toBeGreaterThan(4);
  });

  it('keeps a baseline per hour of the day', () => {
    const e = new AlertEngine(rules);
    // mornings at 40 km/h, then the first readings of another hour at 10 km/h: that hour warms up on its own
    const out = [
      ...Array.from({ length: 40 }, (_, i) =>
        e.traffic([traffic({ sensor_id: 'S', t: T0 + i * 60 * S, speed_kmh: 40 })]),
      ),
      ...Array.from({ length: 5 }, (_, i) =>
        e.traffic([traffic({ sensor_id: 'S', t: T0 + 3 * 3600 * S + i * 60 * S, speed_kmh: 10 })]),
      ),
    ].flat();
    expect(out).toEqual([]);
  });
});

describe('correlation of congestion with an open incident in the zone', () => {
  const rules = only(['severe_congestion', 'correlation'], (r) => {
    r.severe_congestion.min_readings = 1;
    r.severe_congestion.window_seconds = 10;
    r.correlation.within_seconds = 600;
  });

  it('gives one CORRELATED alert naming both instead of a congestion alert', () => {
    const e = new AlertEngine(rules);
    const out = [
      ...e.incidents([incident({ incident_id: 'I7', t: T0 })]),
      ...e.traffic([traffic({ sensor_id: 'S', t: T0 + 60 * S, speed_kmh: 2 })]),
      ...e.traffic([traffic({ sensor_id: 'S', t: T0 + 70 * S, speed_kmh: 3 })]),
      ...e.traffic([traffic({ sensor_id: 'S', t: T0 + 90 * S, speed_kmh: 30 })]),
    ];
    expect(out.map(brief)).toEqual([
      `FIRING ${RULES.correlated} Z01`,
      `RESOLVED ${RULES.correlated} Z01`,
    ]);
    expect(out[0]).toMatchObject({ alert_type: 'CORRELATED', related_id: 'I7', zone_id: 'Z01' });
    expect(out[0].message).toContain('I7');
  });

  it('joins an incident reported after the congestion started, within the bound', () => {
    const e = new AlertEngine(rules);
    const out = [
      ...e.traffic([traffic({ sensor_id: 'S', t: T0, speed_kmh: 2 })]),
      ...e.incidents([incident({ incident_id: 'I8', t: T0 + 120 * S })]),
    ];
    expect(out.map(brief)).toEqual([
      `FIRING ${RULES.severeCongestion} Z01`,
      `FIRING ${RULES.correlated} Z01`,
    ]);
    expect(out[1].related_id).toBe('I8');
  });

  it('does not join an incident outside the time bound or in another zone', () => {
    const e = new AlertEngine(rules);
    const out = [
      ...e.incidents([
        incident({ incident_id: 'I1', t: T0 }),
        incident({ incident_id: 'I2', zone_id: 'Z09', t: T0 + 1_000 * S }),
      ]),
      ...e.traffic([traffic({ sensor_id: 'S', t: T0 + 1_000 * S, speed_kmh: 2 })]),
    ];
    expect(out.map(brief)).toEqual([`FIRING ${RULES.severeCongestion} Z01`]);
  });
});

describe('restore from the alerts the service wrote', () => {
  const rules = only(['severe_congestion'], (r) => {
    r.severe_congestion.min_readings = 1;
    r.severe_congestion.window_seconds = 10;
  });

  it('does not fire an episode already announced again, and still resolves it', () => {
    const before = new AlertEngine(rules);
    const written = before.traffic([traffic({ sensor_id: 'S', t: T0, speed_kmh: 1 })]);
    expect(written.map((a) => a.status)).toEqual(['FIRING']);

    const after = new AlertEngine(rules);
    after.restore(written);
    expect(after.openCount()).toBe(1);
    // the same jam reading replayed, then more of it: no second FIRING
    expect(after.traffic([traffic({ sensor_id: 'S', t: T0, speed_kmh: 1 })])).toEqual([]);
    expect(after.traffic([traffic({ sensor_id: 'S', t: T0 + 5 * S, speed_kmh: 1 })])).toEqual([]);
    const resolved = after.traffic([traffic({ sensor_id: 'S', t: T0 + 30 * S, speed_kmh: 50 })]);
    expect(resolved.map((a) => `${a.status} ${a.alert_id}`)).toEqual([
      `RESOLVED ${written[0].alert_id}`,
    ]);
  });

  it('keeps the cooldown of an episode resolved before the restart', () => {
    const before = new AlertEngine(rules);
    const written = [
      ...before.traffic([traffic({ sensor_id: 'S', t: T0, speed_kmh: 1 })]),
      ...before.traffic([traffic({ sensor_id: 'S', t: T0 + 20 * S, speed_kmh: 50 })]),
    ];
    const after = new AlertEngine(rules);
    after.restore(written);
    expect(after.openCount()).toBe(0);
    expect(after.traffic([traffic({ sensor_id: 'S', t: T0 + 60 * S, speed_kmh: 1 })])).toEqual([]);
  });
});
