import { FaultInjector } from '../faults/fault-injector';
import { ToySource, toyProfile } from '../testing/toy-stream';
import { fromJsonLine, toJsonLine } from './jsonl';

describe('JSONL dump', () => {
  it('round-trips every kind of record, NaN, bytes and a stream tag included', () => {
    const inj = new FaultInjector(
      new ToySource(5, { count: 5, startTime: Date.UTC(2024, 0, 8), intervalMs: 10_000 }),
      5,
      { malformed: 0.3, brokenAvro: 0.2, duplicates: 0.1, messyIds: 0.1 },
      toyProfile(),
    );
    const rs = Array.from({ length: 2_000 }, () => ({ stream: 'toy', ...inj.next() }));
    const lines = rs.map(toJsonLine);
    for (const l of lines) expect(l).not.toContain('\n');
    expect(lines.some((l) => l.includes('"level":"NaN"'))).toBe(true);
    expect(lines.some((l) => l.includes('"bytes_base64"'))).toBe(true);
    expect(lines.map((l) => fromJsonLine(l, ['event_time', 'level']))).toEqual(rs);
    expect(lines.map((l) => fromJsonLine(l, (r) => (r.stream === 'toy' ? ['level'] : [])))).toEqual(
      rs,
    );
  });
});
