import type {
  Alert,
  IncidentNormalized,
  TrafficReadingNormalized,
  TransportVehicleStatusNormalized,
} from '@citypulse/contracts';
import { waitFor } from '@citypulse/testing';
import { traffic } from '../src/testing/fixtures';
import { AlertingHarness, testRules, type Running } from './harness';
import { Receiver } from './receiver';

jest.setTimeout(180_000);

const SECRET = 'it-shared-secret';
const S = 1000;

/**
 * The service as deployed, on the real Kafka, schema registry and PostgreSQL, with two real HTTP
 * receivers: one up all along, one down until the first has everything. The expected alerts are
 * worked out here from the readings sent and the rules, not read back from the service.
 */
describe('alerting over the real stack', () => {
  const h = new AlertingHarness();
  const good = new Receiver(SECRET);
  const flaky = new Receiver(SECRET);
  const refusing = new Receiver(SECRET, 410);
  let svc: Running | undefined;
  let alerts: Alert[];
  const t0 = Date.now() - 600 * S;

  beforeAll(async () => {
    await h.setup();
    await good.up();
    await flaky.reserveDown();
    await refusing.up();
    const rules = testRules(
      ['severe_congestion', 'crowded_vehicle', 'critical_incident', 'correlation'],
      (r) => {
        Object.assign(r.severe_congestion, {
          window_seconds: 10,
          min_readings: 2,
          cooldown_seconds: 60,
        });
      },
    );
    svc = await h.start({
      ALERTING_RULES_FILE: rules,
      ALERTING_WEBHOOK_URLS: `${good.url},${flaky.url},${refusing.url}`,
      ALERTING_WEBHOOK_SECRET: SECRET,
      ALERTING_WEBHOOK_MAX_ATTEMPTS: '14',
    });
    alerts = await h.alerts();
  });

  afterAll(async () => {
    await svc?.close();
    await good.down();
    await flaky.down();
    await refusing.down();
    await h.teardown();
  });

  const reading = (i: number, speed: number): TrafficReadingNormalized =>
    traffic({
      event_id: `${h.prefix}-tr-${i}`,
      t: t0 + i * 2 * S,
      sensor_id: 'S-A1',
      zone_id: 'ZA',
      zone_name: 'Zone A',
      speed_kmh: speed,
    }).value;
  const report = (i: number, status: IncidentNormalized['status']): IncidentNormalized => ({
    event_id: `${h.prefix}-in-${i}`,
    event_time: t0 + i * 60 * S,
    incident_id: 'I-B1',
    zone_id: 'ZB',
    zone_name: 'Zone B',
    incident_type: 'FIRE',
    severity: 'CRITICAL',
    status,
    latitude: null,
    longitude: null,
    description: 'warehouse fire',
    source: 'it',
    ingested_at: Date.now(),
  });
  const bus: TransportVehicleStatusNormalized = {
    event_id: `${h.prefix}-tv-1`,
    event_time: t0,
    vehicle_id: 'V-1',
    line_id: 'L-1',
    line_name: 'Line 1',
    vehicle_type: 'TRAM',
    zone_id: 'ZC',
    latitude: 0,
    longitude: 0,
    delay_seconds: 0,
    on_time: true,
    passenger_count: 190,
    capacity: 200,
    occupancy_pct: 95,
    source: 'it',
    ingested_at: Date.now(),
  };

  it('writes one FIRING and one RESOLVED per episode to the alerts topic, and nothing else', async () => {
    // zone A: 3 free-flowing readings, 6 jammed, 6 recovered (one sensor, 2 s apart, 10 s window)
    const speeds = [40, 40, 40, 2, 2, 2, 2, 2, 2, 30, 30, 30, 30, 30, 30];
    await h.send(
      'trafficNormalized',
      h.topics.traffic,
      speeds.map((v, i) => reading(i, v)),
    );
    await h.send('incidentsNormalized', h.topics.incidents, [
      report(0, 'REPORTED'),
      report(1, 'RESOLVED'),
    ]);
    await h.send('transportNormalized', h.topics.transport, [bus]);

    // worked out from the readings: the window holds 5 readings; all 5 jammed at i=7 (avg 2),
    // two recovered at i=10 (avg (2*3+30*2)/5 = 13.2 > 8)
    const expected = [
      ['traffic.severe_congestion', 'ZA', 'FIRING', t0 + 7 * 2 * S],
      ['traffic.severe_congestion', 'ZA', 'RESOLVED', t0 + 10 * 2 * S],
      ['incidents.critical', 'I-B1', 'FIRING', t0],
      ['incidents.critical', 'I-B1', 'RESOLVED', t0 + 60 * S],
      ['transport.crowded_vehicle', 'V-1', 'FIRING', t0],
    ].map((e) => e.join(' '));
    await waitFor(() => alerts.length >= expected.length, { what: `${expected.length} alerts` });
    await waitFor(() => h.inputsCommitted(), { what: 'every input record committed' });
    expect(
      alerts.map((a) => `${a.rule} ${a.subject_id} ${a.status} ${a.event_time}`).sort(),
    ).toEqual(expected.sort());
    for (const a of alerts) expect(a.event_id).toBe(`${a.alert_id}|${a.status}`);
  });

  it('delivers every alert to the live receiver, signed, keyed by the alert event id', async () => {
    await waitFor(() => good.deliveries.length >= alerts.length, {
      what: 'the live receiver to get every alert',
    });
    expect(good.deliveries.every((d) => d.signatureOk)).toBe(true);
    expect(good.deliveries.every((d) => d.key === d.alert.event_id)).toBe(true);
    expect(new Set(good.deliveries.map((d) => d.key))).toEqual(
      new Set(alerts.map((a) => a.event_id)),
    );
    // the dead one held back neither the live receiver nor the alerts
    expect(flaky.deliveries).toHaveLength(0);
  });

  it('delivers everything to a receiver that was down once it is up, with the same idempotency keys', async () => {
    await flaky.up();
    await waitFor(() => new Set(flaky.deliveries.map((d) => d.key)).size >= alerts.length, {
      timeoutMs: 90_000,
      what: 'the receiver that came back to get every alert',
    });
    expect(flaky.deliveries.every((d) => d.signatureOk)).toBe(true);
    // a redelivery (if any) carries the same key as the first try: never a new one
    expect(flaky.deliveries.every((d) => d.key === d.alert.event_id)).toBe(true);
    expect(new Set(flaky.deliveries.map((d) => d.key))).toEqual(
      new Set(alerts.map((a) => a.event_id)),
    );
  });

  it('dead-letters what a receiver refuses, with the receiver and the error, once per alert', async () => {
    const dlq = await h.deadLetters(`${h.topics.alerts}.dlq`);
    await waitFor(() => dlq.length >= alerts.length, {
      what: 'every refused notification in the DLQ',
    });
    // a 4xx is final: one attempt each
    expect(refusing.deliveries).toHaveLength(alerts.length);
    expect(dlq.map((d) => d.key).sort()).toEqual(alerts.map((a) => a.alert_id).sort());
    for (const d of dlq) {
      expect(d.headers['dlq.original.topic']).toBe(h.topics.alerts);
      expect(d.headers['dlq.error.message']).toMatch(
        /^webhook 127\.0\.0\.1-[0-9a-f]{8} \(http:\/\/127\.0\.0\.1:\d+\/alerts\) did not accept .* HTTP 410$/,
      );
    }
  });

  it('keeps the history and the open alerts in PostgreSQL, served by the REST API', async () => {
    const pool = h.pool();
    await waitFor(
      async () =>
        Number((await pool.query('SELECT count(*) AS n FROM alert_events')).rows[0].n) ===
        alerts.length,
      { what: 'every alert event in PostgreSQL' },
    );
    const api = `http://127.0.0.1:${svc!.httpPort}`;
    const open = (await (await fetch(`${api}/alerts/open`)).json()) as {
      alert_id: string;
      rule: string;
    }[];
    expect(open.map((a) => a.rule)).toEqual(['transport.crowded_vehicle']);

    const history = (await (
      await fetch(`${api}/alerts/history?zone=ZA&from=${t0}&to=${t0 + 3600 * S}`)
    ).json()) as { status: string; rule: string }[];
    expect(history.map((e) => `${e.rule} ${e.status}`)).toEqual([
      'traffic.severe_congestion FIRING',
      'traffic.severe_congestion RESOLVED',
    ]);
    const bad = await fetch(`${api}/alerts/history?from=yesterday`);
    expect(bad.status).toBe(400);

    const id = encodeURIComponent(open[0].alert_id);
    const ack = await fetch(`${api}/alerts/${id}/ack`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ by: 'operator-7' }),
    });
    expect(ack.status).toBe(200);
    const after = (await (await fetch(`${api}/alerts/${id}`)).json()) as {
      acknowledged_by: string;
      acknowledged_at: string;
    };
    expect(after.acknowledged_by).toBe('operator-7');
    expect(Date.parse(after.acknowledged_at)).toBeGreaterThan(0);
    expect((await fetch(`${api}/alerts/nope/ack`, { method: 'POST' })).status).toBe(404);
  });

  it('counts alerts and deliveries in its metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${svc!.obs.port}/metrics`)).text();
    expect(text).toMatch(
      /citypulse_alerts_total\{[^}]*rule="traffic.severe_congestion"[^}]*status="FIRING"[^}]*\} 1/,
    );
    expect(text).toMatch(/citypulse_webhook_deliveries_total\{[^}]*outcome="delivered"/);
    expect(text).toMatch(/citypulse_webhook_dead_letters_total\{[^}]*\} 5/);
    expect(text).toMatch(/citypulse_alerting_evaluation_seconds_count/);
  });
});
