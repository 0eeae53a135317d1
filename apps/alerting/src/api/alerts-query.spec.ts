import { InvalidRequestError, parseQuery } from '@citypulse/rest';
import { nextPageUrl } from './alerts.controller';
import {
  acknowledgedBy,
  alertIdParam,
  HISTORY_QUERY,
  historyRequest,
  OPEN_QUERY,
} from './alerts-query';

/** The problems of a call, as [where, parameter, message]. */
function problems(f: () => unknown): unknown[][] {
  try {
    f();
  } catch (e) {
    if (!(e instanceof InvalidRequestError)) throw e;
    return e.problems.map((p) => [p.in, p.parameter, p.message]);
  }
  throw new Error('accepted');
}

describe('alerts REST queries', () => {
  it('reads zone and limit of the open alerts', () => {
    expect(parseQuery('', OPEN_QUERY)).toEqual({ limit: 500 });
    expect(parseQuery('zone=%20z01&limit=3', OPEN_QUERY)).toEqual({ zone: 'Z01', limit: 3 });
    expect(problems(() => parseQuery('limit=0', OPEN_QUERY))).toEqual([
      ['query', 'limit', 'limit must be an integer from 1 to 5000, got "0"'],
    ]);
    expect(problems(() => parseQuery('zone=a&zone=b', OPEN_QUERY))).toEqual([
      ['query', 'zone', 'query parameter "zone" is given 2 times; give it once'],
    ]);
    expect(problems(() => parseQuery('zone[$ne]=Z01', OPEN_QUERY))[0][1]).toBe('zone[$ne]');
    expect(problems(() => parseQuery('from=0', OPEN_QUERY))[0][2]).toBe(
      'unknown query parameter "from" (this route takes zone, limit)',
    );
    expect(problems(() => parseQuery('zone=', OPEN_QUERY))[0][1]).toBe('zone');
  });

  it('defaults the history to the last day and checks the range', () => {
    const now = Date.UTC(2026, 0, 2);
    const h = historyRequest(parseQuery('', HISTORY_QUERY), now);
    expect(h.to.getTime()).toBe(now + 1);
    expect(h.to.getTime() - h.from.getTime()).toBe(86_400_000);
    expect(
      historyRequest(
        parseQuery(`zone=Z02&from=2026-01-01T00:00:00Z&to=${now}&after=x%7Cy`, HISTORY_QUERY),
        now,
      ),
    ).toEqual({
      zone: 'Z02',
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date(now),
      limit: 1000,
      after: 'x|y',
    });
    expect(problems(() => parseQuery('from=yesterday', HISTORY_QUERY))[0][2]).toMatch(/ISO-8601/);
    expect(
      problems(() =>
        historyRequest(
          parseQuery('from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', HISTORY_QUERY),
        ),
      ),
    ).toEqual([['query', 'to', 'to must be after from']]);
    expect(problems(() => parseQuery('from[$gt]=1', HISTORY_QUERY))[0][1]).toBe('from[$gt]');
  });

  it('checks the alert id of the path', () => {
    expect(alertIdParam('traffic.severe_congestion|Z01|1')).toBe('traffic.severe_congestion|Z01|1');
    expect(problems(() => alertIdParam(' '))).toEqual([['path', 'alertId', 'alertId is empty']]);
    expect(problems(() => alertIdParam('x'.repeat(501)))[0][1]).toBe('alertId');
    expect(problems(() => alertIdParam('a|Z01\u0000|1'))).toEqual([
      ['path', 'alertId', 'alertId contains a control character (such as %00 or %0A)'],
    ]);
  });

  it('takes nothing or {"by"} as the acknowledgement body, and refuses anything else', () => {
    expect(acknowledgedBy(undefined)).toBe('anonymous');
    expect(acknowledgedBy({})).toBe('anonymous');
    expect(acknowledgedBy({ by: ' operator-7 ' })).toBe('operator-7');
    expect(problems(() => acknowledgedBy({ by: 7 }))).toEqual([
      ['body', 'by', 'by must be a non-empty string of at most 200 characters'],
    ]);
    expect(problems(() => acknowledgedBy({ by: 'a', note: 'x' }))).toEqual([
      ['body', 'note', 'unknown body field "note" (the body takes by)'],
    ]);
    expect(problems(() => acknowledgedBy(['by']))[0][1]).toBe('body');
    expect(problems(() => acknowledgedBy({ by: 'op\u0000' }))).toEqual([
      ['body', 'by', 'by contains a control character (such as %00 or %0A)'],
    ]);
  });

  it('links the next history page: the same query after the last record', () => {
    expect(nextPageUrl('/alerts/history?zone=Z01&limit=2', 'a|b|FIRING')).toBe(
      '/alerts/history?zone=Z01&limit=2&after=a%7Cb%7CFIRING',
    );
    expect(nextPageUrl('/alerts/history?after=old&limit=2', 'new')).toBe(
      '/alerts/history?after=new&limit=2',
    );
  });
});
