import { BadQueryError, parseHistoryQuery, parseOpenQuery } from './alerts-query';

describe('alerts REST queries', () => {
  it('reads zone and limit of the open alerts', () => {
    expect(parseOpenQuery({})).toEqual({ limit: 500 });
    expect(parseOpenQuery({ zone: 'Z01', limit: '3' })).toEqual({ zone: 'Z01', limit: 3 });
    expect(() => parseOpenQuery({ limit: '0' })).toThrow(BadQueryError);
    expect(() => parseOpenQuery({ zone: ['a', 'b'] })).toThrow(/once/);
  });

  it('defaults the history to the last day and checks the range', () => {
    const now = Date.UTC(2026, 0, 2);
    const h = parseHistoryQuery({}, now);
    expect(h.to.getTime()).toBe(now + 1);
    expect(h.to.getTime() - h.from.getTime()).toBe(86_400_000);
    expect(
      parseHistoryQuery({ zone: 'Z02', from: '2026-01-01T00:00:00Z', to: String(now) }, now),
    ).toEqual({
      zone: 'Z02',
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date(now),
      limit: 1000,
    });
    expect(() => parseHistoryQuery({ from: 'yesterday' })).toThrow(/ISO-8601/);
    expect(() =>
      parseHistoryQuery({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }),
    ).toThrow(/after/);
  });
});
