import type { TrafficReadingRaw } from '@citypulse/contracts';
import type { CityDefinition, CitySensor, CityZone } from '@citypulse/postgres';
import { Prng, periodicTime, type CleanSource } from '@citypulse/simulation';
import type { IncidentImpact } from '../incidents/incident-timeline';
import type { Scenario } from '../scenario/scenario';
import { TrafficModel, round } from './traffic-model';

export const KMH_PER_MPH = 1.609344;
export const SOURCE = 'sensor-generator';

/** One clean reading as the city produced it, before any fault is injected. */
export interface BaseReading {
  value: TrafficReadingRaw;
  /** the reading's zone was jammed */
  jammed: boolean;
  /** how hard open incidents pressed on the reading's zone, 0-1 */
  incidentPressure: number;
}

export interface ReadingSequenceOptions {
  seed: string | number;
  city: CityDefinition;
  /** event time of the first reading, epoch millis */
  startTime: number;
  /** how often each sensor reports, in simulated milliseconds */
  intervalMs: number;
  jamChancePerMinute?: number;
  /** the city's incidents, which slow the zones they are open in */
  incidents?: IncidentImpact;
  /** forced jams (scenario/scenario.ts) */
  scenario?: Scenario;
}

/**
 * The clean readings of the simulated city in event-time order: every sensor reports once per
 * interval, their reports spread evenly over it. Reading i has event time
 * start + floor(i / sensors) * interval + floor((i mod sensors) * interval / sensors),
 * so the sequence depends only on seed, city, start and interval, never on wall-clock pacing.
 */
export class ReadingSequence implements CleanSource<TrafficReadingRaw> {
  private readonly model: TrafficModel;
  private readonly ids: Prng;
  private readonly sensors: { sensor: CitySensor; zone: CityZone }[];
  private index = 0;

  constructor(private readonly options: ReadingSequenceOptions) {
    if (!(options.intervalMs > 0)) throw new RangeError('intervalMs must be positive');
    const zones = new Map(options.city.zones.map((z) => [z.id, z]));
    this.sensors = options.city.sensors.map((sensor) => {
      const zone = zones.get(sensor.zone_id);
      if (!zone) throw new Error(`sensor ${sensor.id} names unknown zone ${sensor.zone_id}`);
      return { sensor, zone };
    });
    if (this.sensors.length === 0) throw new Error('the city has no sensors');
    this.model = new TrafficModel(options.seed, {
      ...(options.jamChancePerMinute !== undefined && {
        jamChancePerMinute: options.jamChancePerMinute,
      }),
      ...(options.incidents && { incidents: options.incidents }),
      ...(options.scenario && { scenario: options.scenario }),
    });
    this.ids = Prng.derive(options.seed, 'event-ids');
  }

  get sensorCount(): number {
    return this.sensors.length;
  }

  /** Event time the next reading will carry. */
  peekTime(): number {
    return this.timeOf(this.index);
  }

  next(): BaseReading {
    const i = this.index++;
    const n = this.sensors.length;
    const { sensor, zone } = this.sensors[i % n];
    const eventTime = this.timeOf(i);
    const m = this.model.measure(zone, sensor, eventTime, this.options.intervalMs);
    const mph = sensor.unit === 'mph';
    return {
      jammed: m.jammed,
      incidentPressure: m.incidentPressure,
      value: {
        event_id: this.ids.uuid(),
        event_time: eventTime,
        sensor_id: sensor.id,
        zone_id: zone.id,
        speed: mph ? round(m.speedKmh / KMH_PER_MPH, 1) : m.speedKmh,
        speed_unit: mph ? 'MPH' : 'KMH',
        vehicle_count: m.vehicleCount,
        occupancy_pct: m.occupancyPct,
        source: SOURCE,
      },
    };
  }

  private timeOf(i: number): number {
    return periodicTime(i, this.sensors.length, this.options.startTime, this.options.intervalMs);
  }
}
