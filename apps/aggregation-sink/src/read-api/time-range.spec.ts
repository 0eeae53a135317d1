import { BadQueryError, DEFAULT_LIMIT, parseTimeRange } from './time-range';

describe('parseTimeRange', () => {
  it('accepts ISO date-times and epoch milliseconds', () => {
    const r = parseTimeRange({ from: '2026-01-01T00:00:00Z', to: '1767229200000', limit: '10' });
    expect(r.from.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(r.to.toISOString()).toBe('2026-01-01T01:00:00.000Z');
    expect(r.limit).toBe(10);
  });

  it('is open-ended without from or to, with a default limit', () => {
    const r = parseTimeRange({});
    expect(r.from.getTime()).toBe(0);
    expect(r.to.getTime()).toBeGreaterThan(Date.now());
    expect(r.limit).toBe(DEFAULT_LIMIT);
  });

  it.each([
    [{ from: 'yesterday' }, /from must be an ISO-8601/],
    [{ from: '2026-01-02', to: '2026-01-01' }, /to must be after from/],
    [{ limit: '0' }, /limit must be an integer/],
    [{ limit: '1.5' }, /limit must be an integer/],
    [{ to: ['1', '2'] }, /to must be given once/],
  ])('refuses %j', (q, message) => {
    expect(() => parseTimeRange(q)).toThrow(BadQueryError);
    expect(() => parseTimeRange(q)).toThrow(message);
  });
});
