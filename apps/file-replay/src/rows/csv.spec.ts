import { parseCsvLine, toCsvLine } from './csv';
import { RowError } from './row-error';

describe('parseCsvLine', () => {
  it('splits plain cells, keeping empty ones and spaces', () => {
    expect(parseCsvLine('a,b,,c')).toEqual(['a', 'b', '', 'c']);
    expect(parseCsvLine(' a ,b,')).toEqual([' a ', 'b', '']);
    expect(parseCsvLine('')).toEqual(['']);
  });

  it('reads quoted cells with commas and doubled quotes', () => {
    expect(parseCsvLine('"Breakdown, lane 2",x')).toEqual(['Breakdown, lane 2', 'x']);
    expect(parseCsvLine('"say ""hi""",""')).toEqual(['say "hi"', '']);
    expect(parseCsvLine('a,"b"')).toEqual(['a', 'b']);
  });

  it.each([
    ['"open', /not closed/],
    ['"a"b,c', /after a closing quote/],
    ['ab"c,d', /quote inside an unquoted cell/],
  ])('refuses %s', (line, why) => {
    expect(() => parseCsvLine(line)).toThrow(RowError);
    expect(() => parseCsvLine(line)).toThrow(why);
  });
});

describe('toCsvLine', () => {
  it('quotes only what needs it, and parseCsvLine reads it back', () => {
    const cells = ['plain', 'a,b', 'say "x"', ' padded', '', '42'];
    const line = toCsvLine(cells);
    expect(line).toBe('plain,"a,b","say ""x"""," padded",,42');
    expect(parseCsvLine(line)).toEqual(cells);
  });
});
