import { ExitCodeError } from '@citypulse/simulation';
import type * as avro from 'avsc';
import { recordConverter, type RecordConverter } from './convert';
import { parseCsvLine } from './csv';
import { RowError } from './row-error';
import { assertValid } from './validate';

export const FILE_FORMATS = ['csv', 'jsonl'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/** The format a file's extension says: .csv, or .jsonl / .ndjson; undefined otherwise. */
export function formatOfPath(path: string): FileFormat | undefined {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  if (ext === 'csv') return 'csv';
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  return undefined;
}

/** A physical line of a file, numbered from 1. */
export interface Line {
  line: number;
  text: string;
}

/** A row of the file: a record of the contract with its key, or why it is not one. */
export type ParsedRow<V> =
  | { ok: true; line: number; text: string; value: V; key: string }
  | { ok: false; line: number; text: string; error: RowError; key: string | null };

/** What the rows are checked against: the stream's raw contract and how its records are keyed. */
export interface RowContract<V> {
  /** the .avsc as JSON */
  schema: avro.Schema;
  type: avro.Type;
  keyOf(value: V): string;
}

/** A file that cannot be replayed at all (a CSV header that does not fit the contract): exit 65. */
export const EX_DATAERR = 65;

/**
 * The rows of a file, in order: each line (blank lines skipped; in CSV the first line is the
 * header) parsed, converted to the contract's types and validated against it. A CSV header
 * naming a column the contract lacks, or lacking one without a default, fails the whole file
 * (ExitCodeError 65): every row would be refused for the same reason.
 */
export function* parseRows<V>(
  lines: Iterable<Line>,
  format: FileFormat,
  contract: RowContract<V>,
): Generator<ParsedRow<V>> {
  const converter = recordConverter(contract.schema);
  let header: string[] | undefined;
  for (const { line, text } of lines) {
    if (text.trim() === '') continue;
    if (format === 'csv' && header === undefined) {
      header = csvHeader(text, converter, line);
      continue;
    }
    let named: Record<string, unknown> | undefined;
    try {
      named = format === 'csv' ? csvRow(text, header!) : jsonRow(text);
      const value = assertValid<V>(
        contract.type,
        converter.convert(named, { emptyIsNull: format === 'csv' }),
      );
      yield { ok: true, line, text, value, key: contract.keyOf(value) };
    } catch (e) {
      if (!(e instanceof RowError)) throw e;
      yield { ok: false, line, text, error: e, key: keyOfRejected(named, contract) };
    }
  }
}

function csvHeader(text: string, converter: RecordConverter, line: number): string[] {
  let columns: string[];
  try {
    columns = parseCsvLine(text.replace(/^\uFEFF/, '')).map((c) => c.trim());
  } catch (e) {
    throw new ExitCodeError(`CSV header (line ${line}): ${(e as Error).message}`, EX_DATAERR);
  }
  const known = new Set(converter.fields);
  const problems = [
    ...columns.filter((c) => !known.has(c)).map((c) => `unknown column ${c}`),
    ...columns.filter((c, i) => columns.indexOf(c) !== i).map((c) => `column ${c} twice`),
    ...converter.fields
      .filter((f) => !converter.optional.has(f) && !columns.includes(f))
      .map((f) => `no column ${f}`),
  ];
  if (problems.length > 0) {
    throw new ExitCodeError(
      `CSV header (line ${line}) does not fit the contract: ${problems.join(', ')} ` +
        `(columns: ${converter.fields.join(',')})`,
      EX_DATAERR,
    );
  }
  return columns;
}

function csvRow(text: string, header: readonly string[]): Record<string, unknown> {
  const cells = parseCsvLine(text);
  if (cells.length !== header.length) {
    throw new RowError(`expected ${header.length} cells, got ${cells.length}`);
  }
  return Object.fromEntries(header.map((h, i) => [h, cells[i]]));
}

function jsonRow(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new RowError(`not JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RowError('not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** The key a rejected row would have had, when its key fields can be read (for the DLQ record). */
function keyOfRejected<V>(
  named: Record<string, unknown> | undefined,
  c: RowContract<V>,
): string | null {
  if (!named) return null;
  try {
    return c.keyOf(named as V);
  } catch {
    return null;
  }
}
