import type { Pool } from 'pg';
import type { PgLogger } from './pool';

export interface Zone {
  id: string;
  name: string;
  kind: string;
  speedLimitKmh: number;
  /** vehicles per hour over all lanes */
  capacity: number;
  lanes: number;
}

export interface Sensor {
  id: string;
  zoneId: string;
  unit: 'kmh' | 'mph';
  lanes: number;
  active: boolean;
}

export interface TransportLine {
  id: string;
  name: string;
  mode: string;
  /** passengers per vehicle */
  vehicleCapacity: number;
  vehicles: number;
  zoneIds: string[];
}

/** A sensor together with the zone it stands in: what the normalizer enriches a reading with. */
export interface SensorContext {
  sensor: Sensor;
  zone: Zone;
}

interface Snapshot {
  zones: ReadonlyMap<string, Zone>;
  sensors: ReadonlyMap<string, Sensor>;
  lines: ReadonlyMap<string, TransportLine>;
  loadedAt: Date;
}

export interface ReferenceDataOptions {
  /** how often the cache is reloaded (default 60 s); 0 disables periodic refresh */
  refreshIntervalMs?: number;
  logger?: PgLogger;
  /** called after every refresh attempt, e.g. to count failures in a metric */
  onRefresh?: (outcome: { ok: boolean; error?: Error; durationMs: number }) => void;
}

/**
 * Zones, sensors and transport lines from PostgreSQL, held in memory so a lookup is a map read,
 * reloaded every `refreshIntervalMs`. A failed reload keeps the previous snapshot (lookups go on
 * answering) and is retried at the next tick. Lookups take ids in any case and surrounding
 * whitespace; ids are stored upper case.
 */
export class ReferenceDataRepository {
  private snapshot: Snapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly options: ReferenceDataOptions = {},
  ) {}

  /** Loads the data once (throws when it cannot) and starts the periodic refresh. */
  async start(): Promise<void> {
    await this.refresh();
    const every = this.options.refreshIntervalMs ?? 60_000;
    if (every > 0 && !this.timer) {
      this.timer = setInterval(() => {
        this.refresh().catch(() => undefined); // logged and reported inside refresh()
      }, every);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reloads everything now; concurrent callers share one reload. */
  refresh(): Promise<void> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  get loadedAt(): Date | undefined {
    return this.snapshot?.loadedAt;
  }

  zone(id: string): Zone | undefined {
    return this.current().zones.get(canonicalId(id));
  }

  sensor(id: string): Sensor | undefined {
    return this.current().sensors.get(canonicalId(id));
  }

  /** The sensor and its zone, or undefined when either is unknown. */
  sensorContext(sensorId: string): SensorContext | undefined {
    const snap = this.current();
    const sensor = snap.sensors.get(canonicalId(sensorId));
    const zone = sensor && snap.zones.get(sensor.zoneId);
    return sensor && zone ? { sensor, zone } : undefined;
  }

  line(id: string): TransportLine | undefined {
    return this.current().lines.get(canonicalId(id));
  }

  zones(): Zone[] {
    return [...this.current().zones.values()];
  }

  sensors(): Sensor[] {
    return [...this.current().sensors.values()];
  }

  lines(): TransportLine[] {
    return [...this.current().lines.values()];
  }

  private current(): Snapshot {
    if (!this.snapshot) throw new Error('ReferenceDataRepository used before start()');
    return this.snapshot;
  }

  private async load(): Promise<void> {
    const started = Date.now();
    try {
      const [zones, sensors, lines] = await Promise.all([
        this.pool.query<Zone>(
          `SELECT id, name, kind, speed_limit_kmh AS "speedLimitKmh", capacity, lanes FROM zones`,
        ),
        this.pool.query<Sensor>(`SELECT id, zone_id AS "zoneId", unit, lanes, active FROM sensors`),
        this.pool.query<TransportLine>(
          `SELECT id, name, mode, vehicle_capacity AS "vehicleCapacity", vehicles,
                  zone_ids AS "zoneIds" FROM transport_lines`,
        ),
      ]);
      this.snapshot = {
        zones: new Map(zones.rows.map((z) => [z.id, z])),
        sensors: new Map(sensors.rows.map((s) => [s.id, s])),
        lines: new Map(lines.rows.map((l) => [l.id, l])),
        loadedAt: new Date(),
      };
      this.options.onRefresh?.({ ok: true, durationMs: Date.now() - started });
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.options.logger?.warn(
        `reference data refresh failed${this.snapshot ? ', keeping the previous snapshot' : ''}: ${error.message}`,
      );
      this.options.onRefresh?.({ ok: false, error, durationMs: Date.now() - started });
      throw error;
    }
  }
}

/** The stored form of a zone, sensor or line id: trimmed, upper case. */
export function canonicalId(id: string): string {
  return id.trim().toUpperCase();
}
