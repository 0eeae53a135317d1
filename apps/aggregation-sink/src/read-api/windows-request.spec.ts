import type { AggregateSpec } from '../aggregates/aggregate-spec';
import { INCIDENTS, MOBILITY, TICKETS, TRAFFIC, TRANSPORT } from '../aggregates/specs';
import { BadQueryError } from './time-range';
import { parseWindowsRequest, windowsPath } from './windows-request';

describe('windowsPath', () => {
  it('puts each series field after its segment, under the aggregate route', () => {
    expect(windowsPath(TRAFFIC)).toBe('zones/:zone_id/windows');
    expect(windowsPath(TRANSPORT)).toBe('lines/:line_id/windows');
    expect(windowsPath(INCIDENTS)).toBe('zones/:zone_id/severities/:severity/windows');
    expect(windowsPath(TICKETS)).toBe('priorities/:priority/windows');
    expect(windowsPath(MOBILITY)).toBe('windows');
  });
});

describe('parseWindowsRequest', () => {
  it('canonicalizes ids and enum symbols like the normalizer stores them', () => {
    const r = parseWindowsRequest(
      INCIDENTS,
      { zone_id: ' z03 ', severity: 'high' },
      { from: '2026-01-01T00:00:00Z', to: '1767229200000', limit: '10' },
    );
    expect(r.series).toEqual({ zone_id: 'Z03', severity: 'HIGH' });
    expect(r.range).toEqual({
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date(1767229200000),
      limit: 10,
    });
  });

  it('defaults the limit to a day of the aggregate windows', () => {
    const limit = (spec: AggregateSpec, params: Record<string, string>) =>
      parseWindowsRequest(spec, params, {}).range.limit;
    expect(limit(TRAFFIC, { zone_id: 'Z01' })).toBe(288);
    expect(limit(TRANSPORT, { line_id: 'L1' })).toBe(144);
    expect(limit(INCIDENTS, { zone_id: 'Z01', severity: 'LOW' })).toBe(96);
    expect(limit(TICKETS, { priority: 'LOW' })).toBe(1440);
    expect(limit(MOBILITY, {})).toBe(288);
  });

  it.each<[string, AggregateSpec, Record<string, unknown>, Record<string, unknown>, RegExp]>([
    [
      'an unknown symbol',
      TICKETS,
      { priority: 'asap' },
      {},
      /priority must be one of UNKNOWN, LOW, MEDIUM, HIGH, URGENT, got "asap"/,
    ],
    ['an empty id', TRANSPORT, { line_id: '  ' }, {}, /line_id is empty/],
    ['an overlong id', TRANSPORT, { line_id: 'L'.repeat(101) }, {}, /longer than 100/],
    [
      'an unknown parameter',
      TRAFFIC,
      { zone_id: 'Z01' },
      { form: '1' },
      /unknown query parameter form/,
    ],
    [
      'a bad instant',
      TRAFFIC,
      { zone_id: 'Z01' },
      { from: 'yesterday' },
      /from must be an ISO-8601/,
    ],
    ['an empty instant', TRAFFIC, { zone_id: 'Z01' }, { to: '' }, /to must be an ISO-8601/],
    [
      'a reversed range',
      MOBILITY,
      {},
      { from: '2026-01-02', to: '2026-01-01' },
      /to must be after from/,
    ],
    [
      'a limit too large',
      MOBILITY,
      {},
      { limit: '5001' },
      /limit must be an integer from 1 to 5000/,
    ],
    ['a repeated parameter', MOBILITY, {}, { limit: ['1', '2'] }, /limit must be given once/],
  ])('refuses %s', (_, spec, params, query, message) => {
    expect(() => parseWindowsRequest(spec, params, query)).toThrow(BadQueryError);
    expect(() => parseWindowsRequest(spec, params, query)).toThrow(message);
  });
});
