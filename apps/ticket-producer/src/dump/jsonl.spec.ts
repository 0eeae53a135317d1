import { testCity } from '../testing/city';
import { generateTickets } from '../tickets/generate';
import { fromJsonLine, toJsonLine } from './jsonl';

describe('JSONL dump', () => {
  it('round-trips every kind of ticket record, bytes included', () => {
    const rs = [
      ...generateTickets(
        {
          seed: 5,
          city: testCity(),
          startTime: Date.UTC(2024, 0, 8, 9),
          faults: { malformed: 0.2, brokenAvro: 0.2, duplicates: 0.1, messyIds: 0.1 },
        },
        1_000,
      ),
    ];
    const lines = rs.map((r) => toJsonLine(r));
    expect(lines.some((l) => l.includes('"bytes_base64"'))).toBe(true);
    expect(lines.map(fromJsonLine)).toEqual(rs);
  });
});
