import { loadCity, migrate, ReferenceDataRepository } from '../src';
import { TestSchema } from './schema';

describe('ReferenceDataRepository (real PostgreSQL)', () => {
  let schema: TestSchema;
  let repo: ReferenceDataRepository | undefined;
  const city = loadCity();

  beforeEach(async () => {
    schema = await new TestSchema().create();
    await migrate(schema.pool());
  });
  afterEach(async () => {
    repo?.stop();
    await schema.drop();
  });

  it('answers zone, sensor and line lookups from the seeded city', async () => {
    repo = new ReferenceDataRepository(schema.pool(), { refreshIntervalMs: 0 });
    await repo.start();

    expect(repo.zones()).toHaveLength(city.zones.length);
    expect(repo.sensors()).toHaveLength(city.sensors.length);
    const zone = city.zones[1];
    expect(repo.zone(zone.id)).toEqual({
      id: zone.id,
      name: zone.name,
      kind: zone.kind,
      speedLimitKmh: zone.speed_limit_kmh,
      capacity: zone.capacity,
      lanes: zone.lanes,
    });
    const mph = city.sensors.find((s) => s.unit === 'mph')!;
    const ctx = repo.sensorContext(` ${mph.id.toLowerCase()} `);
    expect(ctx?.sensor).toMatchObject({ id: mph.id, unit: 'mph', zoneId: mph.zone_id });
    expect(ctx?.zone.id).toBe(mph.zone_id);
    const line = city.lines[0];
    expect(repo.line(line.id)).toMatchObject({
      vehicleCapacity: line.vehicle_capacity,
      zoneIds: line.zone_ids,
    });
    expect(repo.sensorContext('NO-SUCH-SENSOR')).toBeUndefined();
  });

  it('picks up changes on its periodic refresh', async () => {
    const pool = schema.pool();
    repo = new ReferenceDataRepository(pool, { refreshIntervalMs: 100 });
    await repo.start();
    await pool.query(
      `INSERT INTO sensors (id, zone_id, unit, lanes) VALUES ('Z01-S99', 'Z01', 'kmh', 1)`,
    );
    const deadline = Date.now() + 5_000;
    while (!repo.sensor('Z01-S99') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(repo.sensorContext('Z01-S99')?.zone.id).toBe('Z01');
  });

  it('keeps answering from the last snapshot when a refresh fails', async () => {
    const pool = schema.pool();
    const outcomes: boolean[] = [];
    repo = new ReferenceDataRepository(pool, {
      refreshIntervalMs: 0,
      onRefresh: (o) => outcomes.push(o.ok),
    });
    await repo.start();
    await pool.query('ALTER TABLE zones RENAME TO zones_gone');
    await expect(repo.refresh()).rejects.toThrow(/zones/);
    expect(repo.zone('Z01')?.name).toBe(city.zones[0]?.name);
    expect(outcomes).toEqual([true, false]);
  });
});
