/** A column of a text table: its heading and whether its cells line up on the right (numbers). */
export interface Column {
  heading: string;
  align?: 'left' | 'right';
}

/**
 * Rows as an aligned text table: a heading line, then one line per row, columns two spaces apart,
 * each as wide as its widest cell; the last column is not padded (no trailing blanks).
 */
export function formatTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
): string {
  const widths = columns.map((c, i) =>
    Math.max(c.heading.length, ...rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    columns
      .map((c, i) => {
        const cell = cells[i] ?? '';
        if (c.align === 'right') return cell.padStart(widths[i]);
        return i === columns.length - 1 ? cell : cell.padEnd(widths[i]);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.heading)), ...rows.map(line)].join('\n');
}
