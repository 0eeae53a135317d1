import { testCity } from '../testing/city';
import {
  IncidentTimeline,
  MAX_CACHED_INCIDENTS,
  MAX_DURATION_MS,
  severityAt,
  type Incident,
} from './incident-timeline';

const MONDAY = Date.UTC(2024, 0, 8);
const H = 3_600_000;
const DAY = 24 * H;

function all(t: IncidentTimeline, from: number, to: number): Incident[] {
  const out: Incident[] = [];
  for (let h = Math.floor(from / H); h < Math.floor(to / H); h++) {
    for (const z of t.zoneIds) out.push(...t.startingIn(z, h));
  }
  return out;
}

describe('IncidentTimeline', () => {
  const city = testCity();
  const timeline = (seed: string | number, perZonePerDay = 2, startTime = MONDAY) =>
    new IncidentTimeline(seed, city, { startTime, perZonePerDay });

  it('is deterministic from the seed, and random-access: the order of questions does not matter', () => {
    const a = timeline('s');
    const b = timeline('s');
    // b is asked about the week backwards, a forwards
    const forwards = all(a, MONDAY, MONDAY + 7 * DAY);
    for (let h = Math.floor((MONDAY + 7 * DAY) / H) - 1; h >= MONDAY / H; h--) {
      for (const z of b.zoneIds) b.startingIn(z, h);
    }
    expect(all(b, MONDAY, MONDAY + 7 * DAY)).toEqual(forwards);
    expect(all(timeline('other'), MONDAY, MONDAY + 7 * DAY)).not.toEqual(forwards);
  });

  it('keeps a bounded number of incidents cached at a high rate, and answers the same', () => {
    const busy = timeline('busy', 1_000);
    const fresh = timeline('busy', 1_000);
    const hours = 24 * 30;
    let seen = 0;
    for (let h = MONDAY / H; h < MONDAY / H + hours; h++) {
      for (const z of busy.zoneIds) seen += busy.startingIn(z, h).length;
    }
    expect(seen).toBeGreaterThan(3 * MAX_CACHED_INCIDENTS);
    const cached = (busy as unknown as { cachedIncidents: number }).cachedIncidents;
    expect(cached).toBeLessThanOrEqual(MAX_CACHED_INCIDENTS);
    const blocks = (busy as unknown as { blocks: Map<string, Incident[]> }).blocks;
    expect([...blocks.values()].reduce((n, l) => n + l.length, 0)).toBe(cached);
    // an hour long evicted is drawn again, the same
    const z = busy.zoneIds[0];
    expect(busy.startingIn(z, MONDAY / H)).toEqual(fresh.startingIn(z, MONDAY / H));
  });

  it('lives REPORTED -> UPDATED (1-3) -> RESOLVED at increasing times, at most 3 hours', () => {
    const incidents = all(timeline(1), MONDAY, MONDAY + 14 * DAY);
    expect(incidents.length).toBeGreaterThan(100);
    for (const inc of incidents) {
      const statuses = inc.steps.map((s) => s.status);
      expect(statuses[0]).toBe('REPORTED');
      expect(statuses[statuses.length - 1]).toBe('RESOLVED');
      expect(statuses.slice(1, -1).every((s) => s === 'UPDATED')).toBe(true);
      expect(statuses.length).toBeGreaterThanOrEqual(3);
      expect(statuses.length).toBeLessThanOrEqual(5);
      for (let i = 1; i < inc.steps.length; i++) {
        expect(inc.steps[i].time).toBeGreaterThan(inc.steps[i - 1].time);
      }
      expect(inc.start).toBe(inc.steps[0].time);
      expect(inc.end).toBe(inc.steps[inc.steps.length - 1].time);
      expect(inc.end - inc.start).toBeLessThan(MAX_DURATION_MS);
      expect(inc.id).toMatch(new RegExp(`^INC-${inc.zoneId}-\\d{10}-\\d+$`));
      expect(new Set(inc.steps.map((s) => s.eventId)).size).toBe(inc.steps.length);
    }
    expect(new Set(incidents.map((i) => i.id)).size).toBe(incidents.length);
    expect(new Set(incidents.map((i) => i.type)).size).toBeGreaterThan(5);
    expect(new Set(incidents.map((i) => i.steps[0].severity))).toEqual(
      new Set(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']),
    );
  });

  it('comes at about the asked rate, more in the rush hours than at night, none before the start', () => {
    const t = timeline(2, 3);
    const month = all(t, MONDAY, MONDAY + 28 * DAY);
    const perZonePerDay = month.length / 28 / city.zones.length;
    expect(perZonePerDay).toBeGreaterThan(2.4);
    expect(perZonePerDay).toBeLessThan(3.6);
    const hourOf = (i: Incident) => new Date(i.start).getUTCHours();
    const weekday = month.filter((i) => new Date(i.start).getUTCDay() % 6 !== 0);
    const rush = weekday.filter((i) => [7, 8, 17, 18].includes(hourOf(i))).length;
    const night = weekday.filter((i) => [1, 2, 3, 4].includes(hourOf(i))).length;
    expect(rush).toBeGreaterThan(night * 2);
    const late = timeline(2, 3, MONDAY + 30 * 60_000);
    expect(all(late, MONDAY, MONDAY + H).every((i) => i.start >= MONDAY + 30 * 60_000)).toBe(true);
    expect(all(timeline(2, 0), MONDAY, MONDAY + 7 * DAY)).toEqual([]);
  });

  it('presses on a zone exactly while an incident is open there, by its severity then', () => {
    const t = timeline(3, 4);
    const inc = all(t, MONDAY, MONDAY + 2 * DAY).find((i) => i.steps.length >= 4)!;
    expect(t.openAt(inc.zoneId, inc.start)).toContain(inc);
    expect(t.openAt(inc.zoneId, inc.end)).not.toContain(inc);
    expect(t.openAt(inc.zoneId, inc.start - 1)).not.toContain(inc);
    const mid = inc.steps[2].time;
    expect(severityAt(inc, mid)).toBe(inc.steps[2].severity);
    expect(t.pressureAt(inc.zoneId, mid)).toBeGreaterThan(0);
    const quiet = t.zoneIds.find((z) => t.openAt(z, mid).length === 0);
    if (quiet) expect(t.pressureAt(quiet, mid)).toBe(0);
  });
});
