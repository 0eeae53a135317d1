import { testCity } from '../testing/city';
import { generateCityRecords } from '../streams/city-streams';
import { generateRecords } from './generate';
import { fromJsonLine, toJsonLine } from './jsonl';

const FAULTS = { malformed: 0.3, brokenAvro: 0.2, duplicates: 0.1, messyIds: 0.1 };

describe('JSONL dump', () => {
  it('round-trips every kind of traffic record, NaN and bytes included', () => {
    const rs = [
      ...generateRecords(
        {
          seed: 5,
          city: testCity(),
          startTime: Date.UTC(2024, 0, 8),
          intervalMs: 10_000,
          faults: FAULTS,
        },
        2_000,
      ),
    ];
    const lines = rs.map((r) => toJsonLine(r));
    for (const l of lines) expect(l).not.toContain('\n');
    expect(lines.some((l) => l.includes('"speed":"NaN"'))).toBe(true);
    expect(lines.map((l) => fromJsonLine(l))).toEqual(rs);
  });

  it('round-trips a run of every stream, each record with its stream', () => {
    const rs = [
      ...generateCityRecords(
        {
          seed: 6,
          city: testCity(),
          startTime: Date.UTC(2024, 0, 8, 8),
          intervalMs: 10_000,
          faults: FAULTS,
          incidentsPerZonePerDay: 100,
        },
        6_000,
      ),
    ];
    const lines = rs.map((r) => toJsonLine(r));
    expect(lines[0]).toMatch(/^\{"stream":"(traffic|transport|incidents)","kind":/);
    expect(lines.some((l) => l.includes('"longitude":"NaN"'))).toBe(true);
    expect(new Set(rs.map((r) => r.stream)).size).toBe(3);
    expect(lines.map((l) => fromJsonLine(l))).toEqual(rs);
  });
});
