import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  IncidentRaw,
  TrafficReadingRaw,
  TransportVehicleStatusRaw,
} from '@citypulse/contracts';
import { generateCityRecords, type CityGenerationOptions } from '../streams/city-streams';
import { testCity } from '../testing/city';
import { loadScenario, scenarioProblems, type Scenario } from './scenario';

const START = Date.UTC(2024, 0, 8, 10); // a Monday, between the rush hours
const MIN = 60_000;
const opts = (scenario?: Scenario): CityGenerationOptions => ({
  seed: 'scenario',
  city: testCity(),
  startTime: START,
  intervalMs: 30_000,
  jamChancePerMinute: 0,
  incidentsPerZonePerDay: 0,
  ...(scenario && { scenario }),
});
const run = (scenario?: Scenario) => [...generateCityRecords(opts(scenario), 6_000)];
const values = <T>(rs: ReturnType<typeof run>, stream: string) =>
  rs.flatMap((r) => (r.stream === stream && r.kind === 'reading' ? [r.value as T] : []));

describe('a scenario forces events into the simulated city', () => {
  const jam = { zoneId: 'Z03', from: START + 5 * MIN, until: START + 15 * MIN };
  const crowding = { lineId: 'L2', from: START + 4 * MIN, until: START + 9 * MIN };
  const incident = {
    zoneId: 'Z05',
    from: START + 6 * MIN,
    until: START + 12 * MIN,
    severity: 'CRITICAL' as const,
  };

  it('jams a zone: every sensor of it nearly stops for the span, nothing else of the run changes', () => {
    const plain = values<TrafficReadingRaw>(run(), 'traffic');
    const jammed = values<TrafficReadingRaw>(run({ jams: [jam] }), 'traffic');
    expect(jammed.length).toBe(plain.length);
    const inJam = (r: TrafficReadingRaw) =>
      r.zone_id === jam.zoneId && r.event_time >= jam.from && r.event_time < jam.until;
    const hit = jammed.filter(inJam);
    expect(hit.length).toBeGreaterThan(30);
    const avg = hit.reduce((s, r) => s + r.speed, 0) / hit.length;
    expect(avg).toBeLessThan(4);
    expect(plain.filter(inJam).every((r) => r.speed > 10)).toBe(true);
    // outside the zone and the span every reading is the same as without the scenario
    jammed.forEach((r, i) => {
      if (!inJam(r) && r.zone_id !== jam.zoneId) expect(r).toEqual(plain[i]);
    });
  });

  it('fills a line: every vehicle of it reports the forced load for the span', () => {
    const plain = values<TransportVehicleStatusRaw>(run(), 'transport');
    const full = values<TransportVehicleStatusRaw>(run({ crowding: [crowding] }), 'transport');
    const inSpan = (v: TransportVehicleStatusRaw) =>
      v.line_id === crowding.lineId &&
      v.event_time >= crowding.from &&
      v.event_time < crowding.until;
    const hit = full.filter(inSpan);
    expect(hit.length).toBeGreaterThan(20);
    const capacity = testCity().lines.find((l) => l.id === 'L2')!.vehicle_capacity;
    for (const v of hit) expect(v.passenger_count).toBe(Math.round(capacity * 0.97));
    full.forEach((v, i) => {
      if (v.line_id !== crowding.lineId) expect(v).toEqual(plain[i]);
    });
  });

  it('reports an incident at its start and resolves it at its end, and its zone slows under it', () => {
    const rs = run({ incidents: [incident] });
    const reports = values<IncidentRaw>(rs, 'incidents');
    expect(reports.map((r) => [r.status, r.severity, r.zone_id, r.event_time])).toEqual([
      ['REPORTED', 'CRITICAL', 'Z05', incident.from],
      ['RESOLVED', 'CRITICAL', 'Z05', incident.until],
    ]);
    expect(reports[0].incident_id).toBe(reports[1].incident_id);
    const speed = (rows: TrafficReadingRaw[]) =>
      rows.reduce((s, r) => s + r.speed, 0) / Math.max(rows.length, 1);
    const z05 = values<TrafficReadingRaw>(rs, 'traffic').filter((r) => r.zone_id === 'Z05');
    const during = z05.filter(
      (r) => r.event_time >= incident.from && r.event_time < incident.until,
    );
    const before = z05.filter((r) => r.event_time < incident.from);
    expect(speed(during)).toBeLessThan(0.5 * speed(before));
  });

  it('reads a file of spans relative to the start and lists every problem of a bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
    const good = join(dir, 'good.json');
    writeFileSync(
      good,
      JSON.stringify({
        jams: [{ zone: 'Z03', at_s: 300, for_s: 600 }],
        crowding: [{ line: 'L2', at_s: 240, for_s: 300, load: 0.95 }],
        incidents: [{ zone: 'Z05', at_s: 360, for_s: 360, severity: 'CRITICAL', type: 'FIRE' }],
      }),
    );
    expect(loadScenario(good, testCity(), START)).toEqual({
      jams: [jam],
      crowding: [{ ...crowding, load: 0.95 }],
      incidents: [{ ...incident, type: 'FIRE' }],
    });
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        jam: [],
        jams: [{ zone: 'Z99', at_s: 10, for_s: 0 }],
        incidents: [{ zone: 'Z01', at_s: 0, for_s: 60, severity: 'HUGE' }],
      }),
    );
    expect(() => loadScenario(bad, testCity(), START)).toThrow(
      /unknown key jam[\s\S]*jams\[0\]: unknown zone Z99[\s\S]*jams\[0\]: needs from < until[\s\S]*incidents\[0\]: severity must be one of/,
    );
    expect(
      scenarioProblems({ crowding: [{ lineId: 'L2', from: 0, until: 1, load: 2 }] }, testCity()),
    ).toEqual(['crowding[0]: load must be in [0, 1]']);
  });
});
