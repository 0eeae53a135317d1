import { RowError } from './row-error';

/**
 * The cells of one CSV line (RFC 4180 without line breaks inside a field): cells separated by
 * commas; a cell in double quotes may hold commas, and `""` stands for a quote inside it. An
 * unquoted cell is taken as it is (spaces included); a quote left open is an error.
 */
export function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let cell = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new RowError('a quoted cell is not closed');
        cell += line.slice(i, q);
        if (line[q + 1] === '"') {
          cell += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (i < line.length && line[i] !== ',') {
        throw new RowError(`text after a closing quote at column ${i + 1}`);
      }
      cells.push(cell);
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      const cell = line.slice(i, end);
      if (cell.includes('"'))
        throw new RowError(`a quote inside an unquoted cell at column ${i + 1}`);
      cells.push(cell);
      i = end;
    }
    if (i >= line.length) return cells;
    i++; // the comma
  }
}

/** One CSV line from cells: a cell with a comma, a quote or surrounding spaces is quoted. */
export function toCsvLine(cells: readonly string[]): string {
  return cells.map((c) => (/[",]|^\s|\s$/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
}
