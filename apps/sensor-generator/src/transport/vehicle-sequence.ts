import type { TransportVehicleStatusRaw } from '@citypulse/contracts';
import type { CityDefinition } from '@citypulse/postgres';
import { Prng, periodicTime, type CleanSource } from '@citypulse/simulation';
import type { IncidentImpact } from '../incidents/incident-timeline';
import type { Scenario } from '../scenario/scenario';
import { SOURCE } from '../traffic/reading-sequence';
import { MODE_PROFILES, TransportModel, type VehicleStatus } from './transport-model';

export interface VehicleSequenceOptions {
  seed: string | number;
  city: CityDefinition;
  /** event time of the first status, epoch millis */
  startTime: number;
  /** how often each vehicle reports, simulated ms */
  intervalMs: number;
  incidents?: IncidentImpact;
  /** lines forced full at chosen times (scenario/scenario.ts) */
  scenario?: Scenario;
}

/** One clean status as the vehicle sent it, with the model's view of it (for tests). */
export interface BaseStatus {
  value: TransportVehicleStatusRaw;
  status: VehicleStatus;
}

/**
 * The status reports of every vehicle of every line in event-time order: each vehicle reports
 * once per interval, the reports spread evenly over it (the same schedule as the sensors).
 */
export class VehicleSequence implements CleanSource<TransportVehicleStatusRaw> {
  readonly model: TransportModel;
  private readonly ids: Prng;
  private index = 0;

  constructor(private readonly options: VehicleSequenceOptions) {
    if (!(options.intervalMs > 0)) throw new RangeError('intervalMs must be positive');
    this.model = new TransportModel(options.seed, options.city, {
      ...(options.incidents && { incidents: options.incidents }),
      ...(options.scenario && { scenario: options.scenario }),
    });
    if (this.model.vehicles.length === 0) throw new Error('the city has no transport vehicles');
    this.ids = Prng.derive(options.seed, 'transport/event-ids');
  }

  get vehicleCount(): number {
    return this.model.vehicles.length;
  }

  peekTime(): number {
    return this.timeOf(this.index);
  }

  next(): BaseStatus {
    const i = this.index++;
    const vehicle = this.model.vehicles[i % this.model.vehicles.length];
    const status = this.model.report(vehicle, this.timeOf(i));
    return {
      status,
      value: {
        event_id: this.ids.uuid(),
        event_time: status.eventTime,
        vehicle_id: vehicle.id,
        line_id: vehicle.line.id,
        vehicle_type: MODE_PROFILES[vehicle.line.mode].type,
        latitude: status.position.lat,
        longitude: status.position.lon,
        delay_seconds: status.delaySeconds,
        passenger_count: status.passengers,
        next_stop_id: status.nextStopId,
        source: SOURCE,
      },
    };
  }

  private timeOf(i: number): number {
    return periodicTime(
      i,
      this.model.vehicles.length,
      this.options.startTime,
      this.options.intervalMs,
    );
  }
}
