import { formatTable } from './table';

describe('formatTable', () => {
  it('aligns columns to their widest cell, numbers on the right, no trailing blanks', () => {
    const text = formatTable(
      [{ heading: 'NAME' }, { heading: 'N', align: 'right' }, { heading: 'NOTE' }],
      [
        ['a', '5', 'first'],
        ['longer-name', '12345', ''],
      ],
    );
    expect(text.split('\n')).toEqual([
      'NAME             N  NOTE',
      'a                5  first',
      'longer-name  12345',
    ]);
  });

  it('prints only the heading for no rows', () => {
    expect(formatTable([{ heading: 'A' }, { heading: 'B', align: 'right' }], [])).toBe('A  B');
  });
});
