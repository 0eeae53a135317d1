import { InvalidRequestError } from './problems';
import {
  instantParam,
  integerParam,
  parseQuery,
  queryStringOf,
  textParam,
  type QuerySpec,
} from './query-params';

const SPEC = {
  from: instantParam('from'),
  to: instantParam('to'),
  limit: integerParam({ description: 'page size', min: 1, max: 5000, default: 288 }),
  zone: textParam({ description: 'zone', maxLength: 10, canonical: (s) => s.toUpperCase() }),
} satisfies QuerySpec;

/** The problems parseQuery reports for a query string, as [parameter, message]. */
function problems(qs: string, spec: QuerySpec = SPEC): Array<[string, string]> {
  try {
    parseQuery(qs, spec);
  } catch (e) {
    if (!(e instanceof InvalidRequestError)) throw e;
    expect(e.problems.every((p) => p.in === 'query')).toBe(true);
    return e.problems.map((p) => [p.parameter, p.message]);
  }
  throw new Error(`"${qs}" was accepted`);
}

describe('parseQuery', () => {
  it('parses every declared parameter by its type, with defaults', () => {
    expect(
      parseQuery('from=2026-01-05T08:00:00Z&to=1767600000000&limit=10&zone=%20z01%20', SPEC),
    ).toEqual({
      from: new Date('2026-01-05T08:00:00Z'),
      to: new Date(1767600000000),
      limit: 10,
      zone: 'Z01',
    });
    expect(parseQuery('', SPEC)).toEqual({ limit: 288 });
  });

  it.each([
    ['2026-01-05', '2026-01-05T00:00:00.000Z'],
    ['2026-01-05T08:00Z', '2026-01-05T08:00:00.000Z'],
    ['2026-01-05T08:00:00.250Z', '2026-01-05T08:00:00.250Z'],
    ['2026-01-05T08:00:00%2B01:00', '2026-01-05T07:00:00.000Z'],
    ['2026-01-05T08:00:00-02:30', '2026-01-05T10:30:00.000Z'],
    ['0', '1970-01-01T00:00:00.000Z'],
  ])('reads the instant %s', (raw, iso) => {
    expect(parseQuery(`from=${raw}`, SPEC).from?.toISOString()).toBe(iso);
  });

  it.each([
    // the example: a MongoDB-style operator as a nested object
    ['from[$gt]=1', 'from[$gt]', /brackets are not accepted.*give from=<value> once/],
    ['from%5B%24gt%5D=1', 'from[$gt]', /brackets are not accepted/],
    ['limit[]=1', 'limit[]', /brackets are not accepted/],
    ['where[zone]=Z01', 'where[zone]', /brackets.*this route takes from, to, limit, zone/],
    ['form=1', 'form', /unknown query parameter "form" \(this route takes from, to, limit, zone\)/],
    ['=1', '', /without a name/],
    ['limit=1&limit=2', 'limit', /"limit" is given 2 times; give it once/],
    ['limit=', 'limit', /"limit" is empty/],
    ['limit', 'limit', /"limit" is empty/],
    ['limit=0', 'limit', /limit must be an integer from 1 to 5000, got "0"/],
    ['limit=5001', 'limit', /from 1 to 5000/],
    ['limit=-1', 'limit', /from 1 to 5000/],
    ['limit=1.5', 'limit', /from 1 to 5000/],
    ['limit=1e3', 'limit', /from 1 to 5000/],
    ['limit=0x10', 'limit', /from 1 to 5000/],
    ['limit=abc', 'limit', /from 1 to 5000/],
    ['from=yesterday', 'from', /from must be an ISO-8601 date or date-time with a zone/],
    ['from=2026-02-30', 'from', /ISO-8601/],
    ['from=2026-01-05T24:00:00Z', 'from', /ISO-8601/],
    ['from=2026-01-05T08:00:00', 'from', /needs Z or an offset/],
    ['from=2026-01-05T08:00:00+01:00', 'from', /write a \+ as %2B/],
    ['from=1 Jan 2026', 'from', /ISO-8601/],
    ['to=99999999999999999', 'to', /ISO-8601/],
    ['zone=ABCDEFGHIJK', 'zone', /zone is longer than 10 characters/],
  ])('refuses %s, naming %j', (qs, parameter, message) => {
    const found = problems(qs);
    expect(found).toHaveLength(1);
    expect(found[0][0]).toBe(parameter);
    expect(found[0][1]).toMatch(message);
  });

  it('refuses a control character in any parameter (PostgreSQL cannot compare text with a NUL)', () => {
    expect(problems('zone=z01%00')).toEqual([
      ['zone', 'zone contains a control character (such as %00 or %0A)'],
    ]);
    expect(problems('from=2026%0A-01-01')).toEqual([
      ['from', 'from contains a control character (such as %00 or %0A)'],
    ]);
  });

  it('reports every problem at once', () => {
    expect(problems('from[$gt]=1&limit=0&x=1').map(([p]) => p)).toEqual([
      'from[$gt]',
      'limit',
      'x',
    ]);
  });

  it('refuses any parameter on a route that takes none', () => {
    expect(problems('from[$gt]=1', {})).toEqual([
      ['from[$gt]', expect.stringMatching(/this route takes no query parameters/)],
    ]);
    expect(problems('limit=5', {})).toEqual([
      ['limit', 'unknown query parameter "limit" (this route takes no query parameters)'],
    ]);
    expect(parseQuery('', {})).toEqual({});
  });

  it('does not take inherited names for parameters', () => {
    expect(problems('constructor=1&toString=2').map(([p]) => p)).toEqual([
      'constructor',
      'toString',
    ]);
  });
});

describe('queryStringOf', () => {
  it('is what follows the first ?', () => {
    expect(queryStringOf('/a/b?x=1&y=?')).toBe('x=1&y=?');
    expect(queryStringOf('/a/b')).toBe('');
  });
});
