import type { VehicleType } from '@citypulse/contracts';
import type { CityDefinition, CityLine, CityZone, LineMode } from '@citypulse/postgres';
import { Prng } from '@citypulse/simulation';
import {
  lineRoute,
  offsetKm,
  positionAt,
  zoneAt,
  zoneCentres,
  type LatLon,
  type LineRoute,
} from '../city/geography';
import type { IncidentImpact } from '../incidents/incident-timeline';
import { demandRatio, round, rushIntensity } from '../traffic/traffic-model';
import { forcedLoad, type Scenario } from '../scenario/scenario';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** How each mode runs: timetable speed (stops included), layover, and how delays build up. */
interface ModeProfile {
  type: VehicleType;
  /** timetable speed, km/h, dwell times included */
  speedKmh: number;
  /** minutes at each terminus */
  layoverMin: number;
  /** delay gained per minute at the peak of a rush hour, s */
  rushGrowth: number;
  /** delay gained per minute in a zone under the heaviest incident pressure, s */
  incidentGrowth: number;
  /** share of the delay made up per minute (recovery time and slack in the timetable) */
  recoveryPerMin: number;
  /** delay noise, s per sqrt(min) */
  noise: number;
}

export const MODE_PROFILES: Record<LineMode, ModeProfile> = {
  bus: {
    type: 'BUS',
    speedKmh: 17,
    layoverMin: 4,
    rushGrowth: 5,
    incidentGrowth: 45,
    recoveryPerMin: 0.04,
    noise: 6,
  },
  tram: {
    type: 'TRAM',
    speedKmh: 19,
    layoverMin: 4,
    rushGrowth: 3,
    incidentGrowth: 30,
    recoveryPerMin: 0.05,
    noise: 4,
  },
  metro: {
    type: 'METRO',
    speedKmh: 36,
    layoverMin: 3,
    rushGrowth: 0.6,
    incidentGrowth: 6,
    recoveryPerMin: 0.08,
    noise: 2,
  },
};

export const MIN_DELAY_SECONDS = -120;
export const MAX_DELAY_SECONDS = 3_600;

/** One vehicle of a line, with its place in the line's timetable. */
export interface Vehicle {
  /** `<line>-V<nn>` */
  id: string;
  line: CityLine;
  route: LineRoute;
  /** the timetable offset that spaces the line's vehicles evenly, ms */
  offsetMs: number;
}

/** Where a vehicle is on its line and how it is doing, at one report. */
export interface VehicleStatus {
  vehicle: Vehicle;
  eventTime: number;
  position: LatLon;
  /** distance from the line's first terminus, km */
  km: number;
  phase: 'outbound' | 'inbound' | 'layover';
  zoneId: string;
  nextStopId: string;
  /** against the timetable; negative = early */
  delaySeconds: number;
  passengers: number;
  capacity: number;
  /** incident pressure in the vehicle's zone when it reported, 0-1 (for tests, never sent) */
  incidentPressure: number;
}

interface VehicleState {
  lastTime: number;
  delay: number;
  passengers: number;
}

export interface TransportModelOptions {
  /** the city's incidents: vehicles fall behind in a zone while one is open there */
  incidents?: IncidentImpact;
  /** lines forced full at chosen times, on top of the modelled load */
  scenario?: Scenario;
}

/**
 * The city's public transport, deterministic for a seed: every line of the city file runs its
 * vehicles back and forth through its zones on a timetable that spaces them evenly (cycle =
 * two trips and two layovers; trip = route length / timetable speed). A vehicle's delay grows in
 * the rush hours and while an incident is open in the zone it is in (buses most, metros least),
 * and is made up otherwise; it shows in the position (the vehicle is where the timetable had it
 * `delay` ago). Passengers follow the demand of the zone and the time of day, peak mid-route,
 * grow on a late vehicle (the gap before it fills it) and never exceed the vehicle's capacity.
 */
export class TransportModel {
  readonly vehicles: readonly Vehicle[];
  private readonly rng: Prng;
  private readonly zones: Map<string, CityZone>;
  private readonly state = new Map<string, VehicleState>();
  private readonly incidents: IncidentImpact | undefined;
  private readonly scenario: Scenario | undefined;

  constructor(seed: string | number, city: CityDefinition, options: TransportModelOptions = {}) {
    this.rng = Prng.derive(seed, 'transport');
    this.zones = new Map(city.zones.map((z) => [z.id, z]));
    this.incidents = options.incidents;
    this.scenario = options.scenario;
    const centres = zoneCentres(city);
    const vehicles: Vehicle[] = [];
    for (const line of city.lines) {
      const route = lineRoute(line, centres);
      const cycle = cycleMs(route);
      for (let k = 0; k < line.vehicles; k++) {
        vehicles.push({
          id: `${line.id}-V${String(k + 1).padStart(2, '0')}`,
          line,
          route,
          offsetMs: Math.round((k * cycle) / line.vehicles),
        });
      }
    }
    this.vehicles = vehicles;
  }

  /**
   * The vehicle's status at `eventTime`, its delay and load carried forward from its previous
   * report (call in event-time order per vehicle).
   */
  report(vehicle: Vehicle, eventTime: number): VehicleStatus {
    const m = MODE_PROFILES[vehicle.line.mode];
    const capacity = vehicle.line.vehicle_capacity;
    let s = this.state.get(vehicle.id);
    const fresh = !s;
    if (!s) {
      s = { lastTime: eventTime, delay: 0, passengers: 0 };
      this.state.set(vehicle.id, s);
    }
    const dtMin = Math.max(0, (eventTime - s.lastTime) / MINUTE_MS);

    // Delay: exact exponential recovery towards what the rush and the incidents push it to.
    const before = scheduled(vehicle, eventTime - s.delay * 1000);
    const zoneId = zoneAt(vehicle.route, before.km);
    const pressure = this.incidents?.pressureAt(zoneId, eventTime) ?? 0;
    const growth = m.rushGrowth * rushIntensity(eventTime) + m.incidentGrowth * pressure;
    if (fresh) {
      s.delay = growth / m.recoveryPerMin + this.rng.normal(0, 20);
    } else {
      const keep = Math.exp(-m.recoveryPerMin * dtMin);
      s.delay =
        s.delay * keep +
        (growth / m.recoveryPerMin) * (1 - keep) +
        this.rng.normal(0, m.noise * Math.sqrt(dtMin));
    }
    s.delay = Math.min(MAX_DELAY_SECONDS, Math.max(MIN_DELAY_SECONDS, s.delay));

    const at = scheduled(vehicle, eventTime - s.delay * 1000);
    const zone = this.zones.get(at.zoneId)!;
    const headwayS = cycleMs(vehicle.route) / vehicle.line.vehicles / 1000;
    const target = capacity * load(vehicle, at, zone, eventTime, s.delay / headwayS, pressure);
    const follow = fresh ? 1 : 1 - Math.exp(-dtMin / 5);
    const noise = this.rng.normal(
      0,
      0.015 * capacity * Math.sqrt(Math.min(Math.max(dtMin, 0.1), 5)),
    );
    s.passengers = Math.round(
      Math.min(capacity, Math.max(0, s.passengers + follow * (target - s.passengers) + noise)),
    );
    const forced = forcedLoad(this.scenario, vehicle.line.id, eventTime);
    if (forced !== undefined) s.passengers = Math.round(capacity * forced);
    s.lastTime = eventTime;

    const gps = offsetKm(
      positionAt(vehicle.route, at.km),
      this.rng.normal(0, 0.005),
      this.rng.normal(0, 0.005),
    );
    return {
      vehicle,
      eventTime,
      position: { lat: round(gps.lat, 6), lon: round(gps.lon, 6) },
      km: at.km,
      phase: at.phase,
      zoneId: at.zoneId,
      nextStopId: at.nextStopId,
      delaySeconds: Math.round(s.delay) || 0, // never -0
      passengers: s.passengers,
      capacity,
      incidentPressure: pressure,
    };
  }
}

/** One round trip of a vehicle: out, layover, back, layover, ms. */
export function cycleMs(route: LineRoute): number {
  return 2 * tripMs(route) + 2 * MODE_PROFILES[route.line.mode].layoverMin * MINUTE_MS;
}

function tripMs(route: LineRoute): number {
  return (route.lengthKm / MODE_PROFILES[route.line.mode].speedKmh) * HOUR_MS;
}

/** Where the timetable has a vehicle at a time. */
export function scheduled(
  vehicle: Vehicle,
  t: number,
): { km: number; phase: VehicleStatus['phase']; zoneId: string; nextStopId: string } {
  const { route } = vehicle;
  const trip = tripMs(route);
  const layover = MODE_PROFILES[route.line.mode].layoverMin * MINUTE_MS;
  const cycle = cycleMs(route);
  const u = (((t + vehicle.offsetMs) % cycle) + cycle) % cycle;
  const L = route.lengthKm;
  const stops = route.stops;
  let km: number;
  let phase: VehicleStatus['phase'];
  let next: string;
  if (u < trip) {
    km = (u / trip) * L;
    phase = 'outbound';
    next = (stops.find((s) => s.km > km + 1e-9) ?? stops[stops.length - 1]).id;
  } else if (u < trip + layover) {
    km = L;
    phase = 'layover';
    next = stops[stops.length - 1].id;
  } else if (u < 2 * trip + layover) {
    km = L - ((u - trip - layover) / trip) * L;
    phase = 'inbound';
    next = ([...stops].reverse().find((s) => s.km < km - 1e-9) ?? stops[0]).id;
  } else {
    km = 0;
    phase = 'layover';
    next = stops[0].id;
  }
  return { km, phase, zoneId: zoneAt(route, km), nextStopId: next };
}

/** Share of the capacity on board the timetable position, time and delay call for. */
function load(
  vehicle: Vehicle,
  at: { km: number; phase: VehicleStatus['phase'] },
  zone: CityZone,
  t: number,
  headwaysLate: number,
  pressure: number,
): number {
  const demand = demandRatio(zone.kind, t) ** 1.3;
  const L = vehicle.route.lengthKm;
  // Few on board at the termini, most mid-route.
  const along = at.phase === 'layover' ? 0.3 : 0.7 + 0.6 * Math.sin((Math.PI * at.km) / L);
  // A late vehicle picks up the passengers of the gap before it.
  const bunching = 1 + 0.5 * Math.min(2, Math.max(0, headwaysLate));
  // Displaced traffic takes the train.
  const disruption = 1 + 0.4 * pressure;
  return 0.02 + 0.9 * demand * along * bunching * disruption;
}
