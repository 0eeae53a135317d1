import {
  canonicalId,
  loadCity,
  type Sensor,
  type SensorContext,
  type TransportLine,
  type Zone,
} from '@citypulse/postgres';
import type { CityReference } from '../reference/directories';

/**
 * A CityReference over the canonical city.json, as the seeded reference tables hold it. The
 * maps are public so a spec can change a row (deactivate a sensor, drop a line).
 */
export class CityDirectory implements CityReference {
  readonly zones = new Map<string, Zone>();
  readonly sensors = new Map<string, Sensor>();
  readonly lines = new Map<string, TransportLine>();

  constructor() {
    const city = loadCity();
    for (const z of city.zones) {
      this.zones.set(z.id, {
        id: z.id,
        name: z.name,
        kind: z.kind,
        speedLimitKmh: z.speed_limit_kmh,
        capacity: z.capacity,
        lanes: z.lanes,
      });
    }
    for (const s of city.sensors) {
      this.sensors.set(s.id, {
        id: s.id,
        zoneId: s.zone_id,
        unit: s.unit,
        lanes: s.lanes,
        active: true,
      });
    }
    for (const l of city.lines) {
      this.lines.set(l.id, {
        id: l.id,
        name: l.name,
        mode: l.mode,
        vehicleCapacity: l.vehicle_capacity,
        vehicles: l.vehicles,
        zoneIds: [...l.zone_ids],
      });
    }
  }

  sensorContext(sensorId: string): SensorContext | undefined {
    const sensor = this.sensors.get(canonicalId(sensorId));
    const zone = sensor && this.zones.get(sensor.zoneId);
    return sensor && zone ? { sensor, zone } : undefined;
  }

  zone(zoneId: string): Zone | undefined {
    return this.zones.get(canonicalId(zoneId));
  }

  line(lineId: string): TransportLine | undefined {
    return this.lines.get(canonicalId(lineId));
  }
}
