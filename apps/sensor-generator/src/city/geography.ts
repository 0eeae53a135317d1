import type { CityDefinition, CityLine, LineMode, ZoneKind } from '@citypulse/postgres';
import { Prng } from '@citypulse/simulation';

/** A WGS84 position. */
export interface LatLon {
  lat: number;
  lon: number;
}

/**
 * Where the simulated city lies. The city file has no coordinates, so zones are placed around
 * this point by their kind (centre zones near it, highways on the outskirts), deterministically
 * from their ids: the same city has the same map whatever the seed.
 */
export const CITY_CENTRE: LatLon = { lat: 50.1, lon: 8.7 };

const KM_PER_DEG_LAT = 111.32;

/** Distance from the city centre, km, by kind of zone. */
const RING_KM: Record<ZoneKind, [number, number]> = {
  center: [0.4, 2.2],
  residential: [2.8, 5.5],
  industrial: [3.5, 7],
  highway: [6, 10],
};

export function offsetKm(p: LatLon, northKm: number, eastKm: number): LatLon {
  return {
    lat: p.lat + northKm / KM_PER_DEG_LAT,
    lon: p.lon + eastKm / (KM_PER_DEG_LAT * Math.cos((p.lat * Math.PI) / 180)),
  };
}

/** Distance in km (equirectangular: exact enough across a city). */
export function distanceKm(a: LatLon, b: LatLon): number {
  const north = (b.lat - a.lat) * KM_PER_DEG_LAT;
  const east = (b.lon - a.lon) * KM_PER_DEG_LAT * Math.cos((((a.lat + b.lat) / 2) * Math.PI) / 180);
  return Math.hypot(north, east);
}

/** The centre of every zone of the city. */
export function zoneCentres(city: CityDefinition): Map<string, LatLon> {
  const out = new Map<string, LatLon>();
  for (const z of city.zones) {
    const rng = new Prng(`geo/${z.id}`);
    const [min, max] = RING_KM[z.kind];
    const r = rng.uniform(min, max);
    const bearing = rng.uniform(0, 2 * Math.PI);
    out.set(z.id, offsetKm(CITY_CENTRE, r * Math.cos(bearing), r * Math.sin(bearing)));
  }
  return out;
}

/** A stop of a line: synthesized, as the city file has none. */
export interface Stop {
  /** `<line>-ST<nn>`, numbered from the first terminus */
  id: string;
  /** distance from the first terminus, km */
  km: number;
  zoneId: string;
}

/** A line laid out on the map: through the centres of its zones, in order. */
export interface LineRoute {
  line: CityLine;
  points: LatLon[];
  /** distance of each point from the first terminus, km */
  pointKm: number[];
  /** the zone of each point */
  pointZone: string[];
  lengthKm: number;
  stops: Stop[];
}

/** Stops per zone the line crosses: a metro stops rarely, a bus often. */
export const STOPS_PER_ZONE: Record<LineMode, number> = { metro: 1, tram: 2, bus: 3 };

export function lineRoute(line: CityLine, centres: ReadonlyMap<string, LatLon>): LineRoute {
  const points = line.zone_ids.map((z) => {
    const c = centres.get(z);
    if (!c) throw new Error(`line ${line.id} names unknown zone ${z}`);
    return c;
  });
  const pointZone = [...line.zone_ids];
  // A line within one zone (or between zones at one spot) still needs a route to run on.
  if (points.length === 1 || polylineKm(points) < 0.5) {
    points.push(offsetKm(points[points.length - 1], 0.7, 1.2));
    pointZone.push(pointZone[pointZone.length - 1]);
  }
  const pointKm = [0];
  for (let i = 1; i < points.length; i++) {
    pointKm.push(pointKm[i - 1] + distanceKm(points[i - 1], points[i]));
  }
  const lengthKm = pointKm[pointKm.length - 1];
  const n = Math.max(2, line.zone_ids.length * STOPS_PER_ZONE[line.mode]);
  const stops: Stop[] = [];
  for (let j = 0; j < n; j++) {
    const km = (j * lengthKm) / (n - 1);
    stops.push({ id: `${line.id}-ST${String(j + 1).padStart(2, '0')}`, km, zoneId: '' });
  }
  const route: LineRoute = { line, points, pointKm, pointZone, lengthKm, stops };
  for (const s of stops) s.zoneId = zoneAt(route, s.km);
  return route;
}

/** The position `km` along the route. */
export function positionAt(route: LineRoute, km: number): LatLon {
  const { points, pointKm } = route;
  const d = Math.min(Math.max(km, 0), route.lengthKm);
  let i = 1;
  while (i < points.length - 1 && pointKm[i] < d) i++;
  const seg = pointKm[i] - pointKm[i - 1];
  const f = seg > 0 ? (d - pointKm[i - 1]) / seg : 0;
  const a = points[i - 1];
  const b = points[i];
  return { lat: a.lat + (b.lat - a.lat) * f, lon: a.lon + (b.lon - a.lon) * f };
}

/** The zone a point `km` along the route is in: the one whose centre is nearest along it. */
export function zoneAt(route: LineRoute, km: number): string {
  let best = 0;
  for (let i = 1; i < route.pointKm.length; i++) {
    if (Math.abs(route.pointKm[i] - km) < Math.abs(route.pointKm[best] - km)) best = i;
  }
  return route.pointZone[best];
}

function polylineKm(points: readonly LatLon[]): number {
  let d = 0;
  for (let i = 1; i < points.length; i++) d += distanceKm(points[i - 1], points[i]);
  return d;
}
