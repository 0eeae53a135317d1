import { ExitCodeError } from '@citypulse/simulation';
import { replayContract } from '../streams';
import { formatOfPath, parseRows, type Line, type ParsedRow } from './rows';

const lines = (...texts: string[]): Line[] => texts.map((text, i) => ({ line: i + 1, text }));
const traffic = replayContract('traffic').rows;
const HEADER =
  'event_id,event_time,sensor_id,zone_id,speed,speed_unit,vehicle_count,occupancy_pct,source';

const summary = (rows: ParsedRow<unknown>[]) =>
  rows.map((r) => (r.ok ? { line: r.line, key: r.key } : { line: r.line, why: r.error.message }));

describe('parseRows', () => {
  it('reads CSV rows by the header, numbering physical lines and skipping blank ones', () => {
    const rows = [
      ...parseRows(
        lines(
          HEADER,
          'e1,2024-06-10T08:00:00Z,Z01-S01,Z01,42.5,KMH,7,12.5,file',
          '',
          'e2,1718006400000, z01-s02 ,Z01,30,MPH,3,8,file',
          'e3,2024-06-10T08:00:00Z,Z01-S03,Z01,fast,KMH,7,12.5,file',
          'e4,2024-06-10T08:00:00Z,Z01-S04,Z01,40',
          'e5,2024-06-10T08:00:00Z,Z01-S05,Z01,40,KMH,-1,12.5,file',
        ),
        'csv',
        traffic,
      ),
    ];
    expect(summary(rows)).toEqual([
      { line: 2, key: 'Z01-S01' },
      // keyed as the generator keys a messy id: trimmed, upper case
      { line: 4, key: 'Z01-S02' },
      { line: 5, why: 'speed: expected a number, got "fast"' },
      { line: 6, why: 'expected 9 cells, got 5' },
      // valid Avro: an impossible count is the normalizer's to refuse, not the contract's
      { line: 7, key: 'Z01-S05' },
    ]);
    expect(rows[0]).toMatchObject({
      ok: true,
      value: { event_time: Date.UTC(2024, 5, 10, 8), speed: 42.5, vehicle_count: 7 },
    });
    expect(rows[2]).toMatchObject({
      ok: false,
      key: 'Z01-S03',
      text: expect.stringContaining('fast'),
    });
  });

  it('fails the whole file on a CSV header that does not fit the contract (exit 65)', () => {
    const run = () => [...parseRows(lines('event_id,colour', 'x,red'), 'csv', traffic)];
    expect(run).toThrow(ExitCodeError);
    expect(run).toThrow(/unknown column colour.*no column event_time/);
    try {
      run();
    } catch (e) {
      expect((e as ExitCodeError).exitCode).toBe(65);
    }
  });

  it('accepts a header without a column that has a default, and a BOM', () => {
    const header = `\uFEFF${HEADER.replace(',source', '')}`;
    const [row] = [
      ...parseRows(lines(header, 'e1,1718006400000,Z01-S01,Z01,42.5,KMH,7,12.5'), 'csv', traffic),
    ];
    expect(row).toMatchObject({ ok: true, value: { source: 'unknown' } });
  });

  it('reads JSON lines, naming the field the contract refuses', () => {
    const transport = replayContract('transport').rows;
    const good = {
      event_id: 'e1',
      event_time: '2024-06-10T08:00:00Z',
      vehicle_id: 'l1-v01',
      line_id: 'L1',
      vehicle_type: 'METRO',
      latitude: 50.1,
      longitude: 8.6,
      delay_seconds: 30,
      passenger_count: 120,
      next_stop_id: null,
      source: 'file',
    };
    const rows = [
      ...parseRows(
        lines(
          JSON.stringify(good),
          JSON.stringify({ ...good, passenger_count: 12.5 }),
          JSON.stringify({ ...good, next_stop_id: 7 }),
          '{"event_id":',
          '[1,2]',
          JSON.stringify({ ...good, event_time: 1718006400000 }),
        ),
        'jsonl',
        transport,
      ),
    ];
    expect(summary(rows)).toEqual([
      { line: 1, key: 'L1-V01' },
      {
        line: 2,
        why: 'not a valid city.pulse.TransportVehicleStatusRaw: passenger_count: 12.5 is not a valid int',
      },
      {
        line: 3,
        why: 'not a valid city.pulse.TransportVehicleStatusRaw: next_stop_id: 7 is not one of null | string',
      },
      { line: 4, why: expect.stringMatching(/^not JSON: /) },
      { line: 5, why: 'not a JSON object' },
      { line: 6, key: 'L1-V01' },
    ]);
  });

  it('tells the format by the extension', () => {
    expect(formatOfPath('a/b.CSV')).toBe('csv');
    expect(formatOfPath('x.jsonl')).toBe('jsonl');
    expect(formatOfPath('x.ndjson')).toBe('jsonl');
    expect(formatOfPath('x.json')).toBeUndefined();
    expect(formatOfPath('csv')).toBeUndefined();
  });
});
