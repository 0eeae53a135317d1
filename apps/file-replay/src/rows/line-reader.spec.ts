import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLines } from './line-reader';

const file = (content: string | Buffer) => {
  const path = join(mkdtempSync(join(tmpdir(), 'lines-')), 'f.txt');
  writeFileSync(path, content);
  return path;
};

describe('readLines', () => {
  it('numbers lines from 1, with \\n or \\r\\n, and a last line without a newline', () => {
    expect([...readLines(file('a\r\nb\n\nc'))]).toEqual([
      { line: 1, text: 'a' },
      { line: 2, text: 'b' },
      { line: 3, text: '' },
      { line: 4, text: 'c' },
    ]);
    expect([...readLines(file(''))]).toEqual([]);
  });

  it('keeps multi-byte characters whole across chunk boundaries', () => {
    const text = 'Straße, Zürich\n€uro — ok\n';
    const lines = [...readLines(file(text), 3)].map((l) => l.text);
    expect(lines).toEqual(['Straße, Zürich', '€uro — ok']);
  });

  it('reads a file larger than a chunk', () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => `row ${i}`);
    const lines = [...readLines(file(`${rows.join('\n')}\n`), 1024)];
    expect(lines.map((l) => l.text)).toEqual(rows);
    expect(lines.at(-1)!.line).toBe(5_000);
  });
});
