import {
  canonicalId,
  loadCity,
  type Sensor,
  type SensorContext,
  type Zone,
} from '@citypulse/postgres';
import type { SensorDirectory } from '../reference/sensor-directory';

/** A SensorDirectory over the canonical city.json, as the seeded reference tables hold it. */
export class CityDirectory implements SensorDirectory {
  readonly zones = new Map<string, Zone>();
  readonly sensors = new Map<string, Sensor>();

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
  }

  sensorContext(sensorId: string): SensorContext | undefined {
    const sensor = this.sensors.get(canonicalId(sensorId));
    const zone = sensor && this.zones.get(sensor.zoneId);
    return sensor && zone ? { sensor, zone } : undefined;
  }

  zone(zoneId: string): Zone | undefined {
    return this.zones.get(canonicalId(zoneId));
  }
}
