import type { IncidentRaw } from '@citypulse/contracts';
import type { CityDefinition } from '@citypulse/postgres';
import type { CleanSource } from '@citypulse/simulation';
import { SOURCE } from '../traffic/reading-sequence';
import { round } from '../traffic/traffic-model';
import type { Incident, IncidentStep, IncidentTimeline } from './incident-timeline';

const HOUR_MS = 3_600_000;
/** Looking this far ahead for a first incident and finding none, the stream has ended. */
const MAX_EMPTY_HOURS = 24 * 366;

interface Queued {
  time: number;
  order: number;
  value: IncidentRaw;
}

/**
 * The reports of the city's incidents in event-time order: for each incident REPORTED, its
 * UPDATEs and RESOLVED, each one record keyed by the incident id. Incidents are loaded an hour at
 * a time (every zone); a report is handed out once no incident of a later hour can precede it.
 */
export class IncidentSequence implements CleanSource<IncidentRaw> {
  private readonly queue: Queued[] = [];
  private readonly zoneName: Map<string, string>;
  private nextHour: number;
  private order = 0;
  private emptyHours = 0;
  /** a scenario's incidents are found however many empty hours come before them */
  private readonly lastForcedHour: number;

  constructor(
    private readonly timeline: IncidentTimeline,
    city: CityDefinition,
  ) {
    this.zoneName = new Map(city.zones.map((z) => [z.id, z.name]));
    this.nextHour = Math.floor(timeline.startTime / HOUR_MS);
    this.lastForcedHour = Math.max(
      -Infinity,
      ...(timeline.options.forced ?? []).map((f) => Math.floor(f.from / HOUR_MS)),
    );
  }

  peekTime(): number {
    this.fill();
    return this.queue.length > 0 ? this.queue[0].time : Infinity;
  }

  next(): { value: IncidentRaw } {
    this.fill();
    const head = this.queue.shift();
    if (!head) throw new Error('the incident stream has ended (no incidents configured)');
    return { value: head.value };
  }

  private fill(): void {
    if (this.timeline.options.perZonePerDay <= 0 && this.lastForcedHour === -Infinity) return;
    while (this.queue.length === 0 || this.queue[0].time >= this.nextHour * HOUR_MS) {
      if (this.emptyHours > MAX_EMPTY_HOURS && this.nextHour > this.lastForcedHour) return;
      let loaded = 0;
      for (const zoneId of this.timeline.zoneIds) {
        for (const inc of this.timeline.startingIn(zoneId, this.nextHour)) {
          for (const step of inc.steps) this.push(step.time, this.report(inc, step));
          loaded++;
        }
      }
      this.emptyHours = this.queue.length === 0 && loaded === 0 ? this.emptyHours + 1 : 0;
      this.nextHour++;
    }
  }

  private push(time: number, value: IncidentRaw): void {
    const item = { time, order: this.order++, value };
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const q = this.queue[mid];
      if (q.time < time || (q.time === time && q.order < item.order)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, item);
  }

  private report(inc: Incident, step: IncidentStep): IncidentRaw {
    return {
      event_id: step.eventId,
      event_time: step.time,
      incident_id: inc.id,
      zone_id: inc.zoneId,
      incident_type: inc.type,
      severity: step.severity,
      status: step.status,
      latitude: inc.position ? round(inc.position.lat, 6) : null,
      longitude: inc.position ? round(inc.position.lon, 6) : null,
      description: describe(inc, step, this.zoneName.get(inc.zoneId) ?? inc.zoneId),
      source: SOURCE,
    };
  }
}

function describe(inc: Incident, step: IncidentStep, zone: string): string {
  const what = `${inc.type.charAt(0)}${inc.type.slice(1).toLowerCase().replace(/_/g, ' ')} in ${zone}`;
  switch (step.status) {
    case 'REPORTED':
      return `${what} reported`;
    case 'UPDATED':
      return `${what}: severity now ${step.severity.toLowerCase()}`;
    case 'RESOLVED':
      return `${what} cleared`;
  }
}
