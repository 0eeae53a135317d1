import { testCity } from '../testing/city';
import { generateRecords } from './generate';
import { fromJsonLine, toJsonLine } from './jsonl';

describe('JSONL dump', () => {
  it('round-trips every kind of record, NaN and bytes included', () => {
    const rs = [
      ...generateRecords(
        {
          seed: 5,
          city: testCity(),
          startTime: Date.UTC(2024, 0, 8),
          intervalMs: 10_000,
          faults: { malformed: 0.3, brokenAvro: 0.2, duplicates: 0.1, messyIds: 0.1 },
        },
        2_000,
      ),
    ];
    const lines = rs.map(toJsonLine);
    for (const l of lines) expect(l).not.toContain('\n');
    expect(lines.some((l) => l.includes('"speed":"NaN"'))).toBe(true);
    expect(lines.map(fromJsonLine)).toEqual(rs);
  });
});
