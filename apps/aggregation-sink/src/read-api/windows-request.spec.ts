import { InvalidRequestError, parseQuery } from '@citypulse/rest';
import type { AggregateSpec } from '../aggregates/aggregate-spec';
import {
  AGGREGATE_SPECS,
  INCIDENTS,
  MOBILITY,
  TICKETS,
  TRAFFIC,
  TRANSPORT,
} from '../aggregates/specs';
import {
  defaultLimit,
  nextFrom,
  parseWindowsRequest,
  windowsPath,
  windowsQueryParams,
} from './windows-request';

/** A windows request as the controller checks it: the query string, then the path. */
function request(spec: AggregateSpec, params: Record<string, unknown>, qs = '') {
  return parseWindowsRequest(spec, params, parseQuery(qs, windowsQueryParams(spec)));
}

/** The problems of a request, as [where, parameter, message]. */
function problems(spec: AggregateSpec, params: Record<string, unknown>, qs = '') {
  try {
    request(spec, params, qs);
  } catch (e) {
    if (!(e instanceof InvalidRequestError)) throw e;
    return e.problems.map((p) => [p.in, p.parameter, p.message]);
  }
  throw new Error(`${qs} was accepted`);
}

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
    const r = request(
      INCIDENTS,
      { zone_id: ' z03 ', severity: 'high' },
      'from=2026-01-01T00:00:00Z&to=1767229200000&limit=10',
    );
    expect(r.series).toEqual({ zone_id: 'Z03', severity: 'HIGH' });
    expect(r.range).toEqual({
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date(1767229200000),
      limit: 10,
    });
  });

  it('refuses a control character in a path id with a 400, not a 500 from PostgreSQL', () => {
    expect(problems(TRAFFIC, { zone_id: 'z01\u0000' })).toEqual([
      ['path', 'zone_id', 'zone_id contains a control character (such as %00 or %0A)'],
    ]);
  });

  it('is open-ended without from or to', () => {
    const { range } = request(TRAFFIC, { zone_id: 'Z01' });
    expect(range.from.getTime()).toBe(0);
    expect(range.to.getTime()).toBeGreaterThan(Date.now());
  });

  it('defaults the limit to a day of the aggregate windows', () => {
    const limit = (spec: AggregateSpec, params: Record<string, string>) =>
      request(spec, params).range.limit;
    expect(limit(TRAFFIC, { zone_id: 'Z01' })).toBe(288);
    expect(limit(TRANSPORT, { line_id: 'L1' })).toBe(144);
    expect(limit(INCIDENTS, { zone_id: 'Z01', severity: 'LOW' })).toBe(96);
    expect(limit(TICKETS, { priority: 'LOW' })).toBe(1440);
    expect(limit(MOBILITY, {})).toBe(288);
    for (const spec of AGGREGATE_SPECS)
      expect(windowsQueryParams(spec).limit.default).toBe(defaultLimit(spec));
  });

  it.each<[string, AggregateSpec, Record<string, unknown>, string, unknown[]]>([
    [
      'an unknown symbol',
      TICKETS,
      { priority: 'asap' },
      '',
      [
        'path',
        'priority',
        'priority must be one of UNKNOWN, LOW, MEDIUM, HIGH, URGENT, got "asap"',
      ],
    ],
    ['an empty id', TRANSPORT, { line_id: '  ' }, '', ['path', 'line_id', 'line_id is empty']],
    [
      'an overlong id',
      TRANSPORT,
      { line_id: 'L'.repeat(101) },
      '',
      ['path', 'line_id', 'line_id is longer than 100 characters'],
    ],
    [
      'an unknown parameter',
      TRAFFIC,
      { zone_id: 'Z01' },
      'form=1',
      ['query', 'form', 'unknown query parameter "form" (this route takes from, to, limit)'],
    ],
    [
      'an operator object',
      TRAFFIC,
      { zone_id: 'Z01' },
      'from[$gt]=1',
      ['query', 'from[$gt]', expect.stringMatching(/brackets are not accepted/)],
    ],
    [
      'a bad instant',
      TRAFFIC,
      { zone_id: 'Z01' },
      'from=yesterday',
      ['query', 'from', expect.stringMatching(/^from must be an ISO-8601/)],
    ],
    [
      'an empty instant',
      TRAFFIC,
      { zone_id: 'Z01' },
      'to=',
      ['query', 'to', 'query parameter "to" is empty'],
    ],
    [
      'a reversed range',
      MOBILITY,
      {},
      'from=2026-01-02&to=2026-01-01',
      ['query', 'to', 'to must be after from'],
    ],
    [
      'a limit too large',
      MOBILITY,
      {},
      'limit=5001',
      ['query', 'limit', 'limit must be an integer from 1 to 5000, got "5001"'],
    ],
    [
      'a repeated parameter',
      MOBILITY,
      {},
      'limit=1&limit=2',
      ['query', 'limit', 'query parameter "limit" is given 2 times; give it once'],
    ],
  ])('refuses %s, naming the parameter', (_, spec, params, qs, problem) => {
    expect(problems(spec, params, qs)).toEqual([problem]);
  });
});

describe('nextFrom', () => {
  it('is 1 ms after the last window_start shown', () => {
    expect(nextFrom('2026-01-05T08:55:00.000Z')).toBe('2026-01-05T08:55:00.001Z');
  });
});
