import { contractOf } from '@citypulse/contracts';
import { generateRecords } from '../dump/generate';
import { testCity } from '../testing/city';
import {
  STREAM_CONTRACTS,
  generateCityRecords,
  type CityGenerationOptions,
  type CityRecord,
} from './city-streams';

const START = Date.UTC(2024, 0, 8, 7);
const opts = (over: Partial<CityGenerationOptions> = {}): CityGenerationOptions => ({
  seed: 'city',
  city: testCity(),
  startTime: START,
  intervalMs: 30_000,
  incidentsPerZonePerDay: 6,
  ...over,
});
const time = (r: CityRecord) => (r.kind === 'reading' ? r.value.event_time : NaN);
const untagged = (rs: CityRecord[]) => rs.map(({ stream: _s, seq: _q, ...r }) => r);

describe('the city`s streams in one run', () => {
  it('merges traffic, transport and incidents in event-time order, each a valid contract value', () => {
    const rs = [...generateCityRecords(opts(), 10_000)];
    const times = rs.map(time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const count = (s: string) => rs.filter((r) => r.stream === s).length;
    expect(count('traffic')).toBeGreaterThan(4_000);
    expect(count('transport')).toBeGreaterThan(4_500);
    expect(count('incidents')).toBeGreaterThan(3);
    const wrong = rs.filter((r) => {
      if (r.kind !== 'reading') return true;
      const c = contractOf(STREAM_CONTRACTS[r.stream]);
      // the record key is the contract's key of the value (its id, as sent when clean)
      return !c.type.isValid(r.value) || r.key !== c.key(r.value);
    });
    expect(wrong).toEqual([]);
    expect(rs.map((r) => r.seq)).toEqual(rs.map((_, i) => i));
  });

  it('is generateRecords, tagged, with the traffic stream alone', () => {
    const faults = {
      duplicates: 0.02,
      late: 0.01,
      outOfOrder: 0.02,
      malformed: 0.01,
      brokenAvro: 0.01,
    };
    const city = [...generateCityRecords(opts({ streams: ['traffic'], faults }), 5_000)];
    expect(city.every((r) => r.stream === 'traffic')).toBe(true);
    expect(city.map(({ stream: _s, ...r }) => r)).toEqual([
      ...generateRecords(opts({ faults }), 5_000),
    ]);
  });

  it('never changes a stream`s clean records by choosing which other streams to send', () => {
    const all = [...generateCityRecords(opts(), 8_000)];
    const trafficOnly = [...generateCityRecords(opts({ streams: ['traffic'] }), 8_000)];
    const mine = all.filter((r) => r.stream === 'traffic');
    expect(untagged(mine)).toEqual(untagged(trafficOnly.slice(0, mine.length)));
    const transportOnly = [
      ...generateCityRecords(opts({ streams: ['transport', 'incidents'] }), 8_000),
    ];
    const vehicles = all.filter((r) => r.stream === 'transport');
    expect(untagged(vehicles)).toEqual(
      untagged(transportOnly.filter((r) => r.stream === 'transport').slice(0, vehicles.length)),
    );
  });

  it('injects every stream`s faults, keyed by the stream`s canonical id', () => {
    const faults = {
      duplicates: 0.05,
      outOfOrder: 0.05,
      late: 0.05,
      malformed: 0.1,
      brokenAvro: 0.05,
      messyIds: 0.2,
    };
    const rs = [...generateCityRecords(opts({ faults, incidentsPerZonePerDay: 300 }), 10_000)];
    for (const stream of ['traffic', 'transport', 'incidents'] as const) {
      const mine = rs.filter((r) => r.stream === stream);
      const kinds = new Set(mine.flatMap((r) => r.faults as string[]));
      expect([...kinds].sort()).toEqual([
        'broken_avro',
        'duplicate',
        'late',
        'malformed',
        'messy_id',
        'out_of_order',
      ]);
      const messy = mine.filter(
        (r) =>
          r.kind === 'reading' && r.faults.includes('messy_id') && !r.faults.includes('malformed'),
      );
      expect(messy.length).toBeGreaterThan(0);
      const wrong = messy.filter((r) => {
        if (r.kind !== 'reading') return true;
        switch (r.stream) {
          case 'traffic':
            return r.value.sensor_id === r.key || r.value.sensor_id.trim().toUpperCase() !== r.key;
          case 'transport':
            return (
              r.value.vehicle_id === r.key || r.value.vehicle_id.trim().toUpperCase() !== r.key
            );
          case 'incidents':
            // the incident id is kept as it is (its case matters); the zone id is garbled
            return (
              r.value.incident_id !== r.key ||
              r.value.zone_id === r.value.zone_id.trim().toUpperCase()
            );
        }
      });
      expect(wrong).toEqual([]);
    }
    expect([...generateCityRecords(opts({ faults, incidentsPerZonePerDay: 300 }), 10_000)]).toEqual(
      rs,
    );
  });
});
