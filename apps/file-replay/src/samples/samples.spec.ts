import { loadCity } from '@citypulse/postgres';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLines } from '../rows/line-reader';
import { parseRows } from '../rows/rows';
import { replayContract } from '../streams';
import { SAMPLES_DIR, buildSamples, samplesReadme } from './samples';

const samples = buildSamples(loadCity());

describe('samples/', () => {
  it('has a file per raw stream, both formats, a few hundred rows and bad lines in each', () => {
    expect(samples.map((s) => s.file)).toEqual([
      'traffic.csv',
      'transport.jsonl',
      'incidents.csv',
      'tickets.jsonl',
    ]);
    for (const s of samples) {
      expect(s.records.length).toBeGreaterThanOrEqual(200);
      expect(s.bad.length).toBeGreaterThanOrEqual(2);
    }
  });

  it.each(samples.map((s) => [s.file, s] as const))(
    '%s is what the script writes (run `pnpm --filter @citypulse/file-replay samples`)',
    (file, s) => {
      expect(readFileSync(join(SAMPLES_DIR, file), 'utf8')).toBe(s.content);
    },
  );

  it('README.md is what the script writes (up to the table padding prettier adds)', () => {
    const unpadded = (md: string) => md.replace(/ +/g, ' ').replace(/-{3,}/g, '---');
    expect(unpadded(readFileSync(join(SAMPLES_DIR, 'README.md'), 'utf8'))).toBe(
      unpadded(samplesReadme(samples)),
    );
  });

  it.each(samples.map((s) => [s.file, s] as const))(
    '%s replays to the simulated records, refusing exactly its bad lines',
    (file, s) => {
      const rows = [
        ...parseRows(readLines(join(SAMPLES_DIR, file)), s.format, replayContract(s.stream).rows),
      ];
      expect(rows.filter((r) => !r.ok).map((r) => r.line)).toEqual(s.bad.map((b) => b.line));
      // the simulation's own values, whatever the file's time format and null spelling
      expect(rows.filter((r) => r.ok).map((r) => r.value)).toEqual(s.records);
    },
  );
});
