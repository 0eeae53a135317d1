import type { EventLike } from '@citypulse/simulation';
import type { CityDefinition } from '@citypulse/postgres';
import { generateCityRecords, type GeneratorStream } from '@citypulse/sensor-generator';
import { generateTickets } from '@citypulse/ticket-producer';
import { join } from 'node:path';
import { toCsvLine } from '../rows/csv';
import type { FileFormat } from '../rows/rows';
import { replayContract, type ReplayStream } from '../streams';

/** The repository's samples/ folder (src/samples and dist/samples are both three levels below the app). */
export const SAMPLES_DIR = join(__dirname, '..', '..', '..', '..', 'samples');

/** Monday 10 June 2024, 07:30 UTC: the morning rush is on. */
export const SAMPLE_START = Date.UTC(2024, 5, 10, 7, 30);
export const SAMPLE_SEED = 'samples';

type Row = Record<string, unknown>;

/**
 * A deliberately bad line, written after the good row `after` (0-based), and why the replay
 * refuses it: a row rendered like the good ones (`render`), or text of its own.
 */
interface Defect {
  after: number;
  why: string;
  line(good: readonly Row[], render: (row: Row) => string): string;
}

interface SampleSpec {
  stream: ReplayStream;
  format: FileFormat;
  /** how the file spells event_time */
  time: 'iso' | 'millis';
  rows(city: CityDefinition): Row[];
  defects: Defect[];
}

/** A sample file, its good records (as the simulation made them) and its bad lines. */
export interface SampleFile {
  stream: ReplayStream;
  file: string;
  format: FileFormat;
  content: string;
  records: Row[];
  bad: { line: number; why: string }[];
}

const city = (stream: GeneratorStream, n: number) => (c: CityDefinition) =>
  [
    ...generateCityRecords(
      {
        seed: SAMPLE_SEED,
        city: c,
        startTime: SAMPLE_START,
        intervalMs: 30_000,
        streams: [stream],
      },
      n,
    ),
  ].map((r) => (r.kind === 'reading' ? (r.value as unknown as Row) : {}));

/** The same row with one field changed (and its own event id), rendered like the good ones. */
const changed =
  (i: number, field: string, value: unknown): Defect['line'] =>
  (good, render) =>
    render({ ...good[i], event_id: `${String(good[i].event_id)}-bad`, [field]: value });

const SPECS: SampleSpec[] = [
  {
    stream: 'traffic',
    format: 'csv',
    time: 'iso',
    rows: city('traffic', 300),
    defects: [
      { after: 50, why: 'speed is not a number', line: changed(50, 'speed', 'fast') },
      {
        after: 150,
        why: 'speed unit KPH is not a symbol of the contract',
        line: changed(150, 'speed_unit', 'KPH'),
      },
      {
        after: 260,
        why: 'two cells short',
        line: (good, render) => render(good[260]).split(',').slice(0, -2).join(','),
      },
    ],
  },
  {
    stream: 'transport',
    format: 'jsonl',
    time: 'millis',
    rows: city('transport', 300),
    defects: [
      {
        after: 40,
        why: 'not JSON (cut off)',
        line: (good, render) => render(good[40]).slice(0, 60),
      },
      {
        after: 180,
        why: 'passenger_count 12.5 is not an int',
        line: changed(180, 'passenger_count', 12.5),
      },
      { after: 270, why: 'line_id is missing', line: changed(270, 'line_id', undefined) },
    ],
  },
  {
    stream: 'incidents',
    format: 'csv',
    time: 'millis',
    rows: city('incidents', 200),
    defects: [
      { after: 30, why: 'event_time is not a time', line: changed(30, 'event_time', 'yesterday') },
      {
        after: 120,
        why: 'severity SEVERE is not a symbol of the contract',
        line: changed(120, 'severity', 'SEVERE'),
      },
    ],
  },
  {
    stream: 'tickets',
    format: 'jsonl',
    time: 'iso',
    rows: (c) =>
      [...generateTickets({ seed: SAMPLE_SEED, city: c, startTime: SAMPLE_START }, 300)].map((r) =>
        r.kind === 'reading' ? (r.value as unknown as Row) : {},
      ),
    defects: [
      {
        after: 60,
        why: 'priority P1 is not a symbol of the contract',
        line: changed(60, 'priority', 'P1'),
      },
      {
        after: 200,
        why: 'a JSON array, not an object',
        line: (good) => JSON.stringify(Object.values(good[200])),
      },
    ],
  },
];

function timeOf(v: unknown, time: 'iso' | 'millis'): unknown {
  return typeof v === 'number' && time === 'iso' ? new Date(v).toISOString() : v;
}

function fieldsOf(stream: ReplayStream): string[] {
  const schema = replayContract(stream).contract.schema as { fields: { name: string }[] };
  return schema.fields.map((f) => f.name);
}

/** A row as a line of the sample's format: CSV cells in schema order, or a JSON object. */
function renderer(spec: SampleSpec): (row: Row) => string {
  const columns = fieldsOf(spec.stream);
  if (spec.format === 'jsonl') {
    return (row) => JSON.stringify({ ...row, event_time: timeOf(row.event_time, spec.time) });
  }
  return (row) =>
    toCsvLine(
      columns.map((n) => {
        const v = n === 'event_time' ? timeOf(row[n], spec.time) : row[n];
        // clean values: strings, finite numbers, null (JSON spells the numbers as String does)
        return v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
      }),
    );
}

/**
 * Every sample file, made from the simulation (the sensor-generator's city and the
 * ticket-producer's tickets, seed "samples", from Monday 10 June 2024 07:30 UTC), with a few
 * deliberately bad lines each. Deterministic: the same every time.
 */
export function buildSamples(c: CityDefinition): SampleFile[] {
  return SPECS.map((spec) => {
    const records = spec.rows(c);
    const render = renderer(spec);
    const lines: string[] = spec.format === 'csv' ? [toCsvLine(fieldsOf(spec.stream))] : [];
    const bad: SampleFile['bad'] = [];
    records.forEach((r, i) => {
      lines.push(render(r));
      for (const d of spec.defects.filter((x) => x.after === i)) {
        lines.push(d.line(records, render));
        bad.push({ line: lines.length, why: d.why });
      }
    });
    return {
      stream: spec.stream,
      file: `${spec.stream}.${spec.format}`,
      format: spec.format,
      content: `${lines.join('\n')}\n`,
      records,
      bad,
    };
  });
}

/** samples/README.md: what each file holds and which lines are bad, from the files themselves. */
export function samplesReadme(files: readonly SampleFile[]): string {
  const span = (f: SampleFile) => {
    const times = f.records.map((r) => (r as unknown as EventLike).event_time);
    const from = new Date(Math.min(...times)).toISOString();
    const to = new Date(Math.max(...times)).toISOString();
    return `${from.slice(0, 16)}Z – ${to.slice(0, 16)}Z`;
  };
  return [
    '# Sample files for the file replay',
    '',
    'Generated by `pnpm --filter @citypulse/file-replay samples` (apps/file-replay/src/samples) from the',
    "platform's own simulation — the sensor-generator's city and the ticket-producer's tickets, seed",
    '`samples`, starting Monday 10 June 2024 07:30 UTC — with a few deliberately bad lines in each. Do not',
    "edit them by hand: the file-replay's unit tests check that they equal what the script writes.",
    'Replay one with `pnpm --filter @citypulse/file-replay start -- --stream <stream> --file samples/<file>`',
    '(see apps/file-replay/README.md).',
    '',
    '| file | stream | format | good rows | event time | bad lines |',
    '| --- | --- | --- | --- | --- | --- |',
    ...files.map(
      (f) =>
        `| \`${f.file}\` | ${f.stream} | ${f.format} | ${f.records.length} | ${span(f)} | ${f.bad.map((b) => b.line).join(', ')} |`,
    ),
    '',
    'The bad lines, each refused by the replay and sent to the DLQ with its line number:',
    '',
    '| file | line | what is wrong |',
    '| --- | --- | --- |',
    ...files.flatMap((f) => f.bad.map((b) => `| \`${f.file}\` | ${b.line} | ${b.why} |`)),
    '',
  ].join('\n');
}
