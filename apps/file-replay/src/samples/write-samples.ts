import { loadCity } from '@citypulse/postgres';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLES_DIR, buildSamples, samplesReadme } from './samples';

/** Writes samples/: one file per raw stream and its README (`pnpm --filter @citypulse/file-replay samples`). */
const files = buildSamples(loadCity());
mkdirSync(SAMPLES_DIR, { recursive: true });
for (const f of files) {
  writeFileSync(join(SAMPLES_DIR, f.file), f.content);
  process.stdout.write(
    `${join(SAMPLES_DIR, f.file)}: ${f.records.length} good rows, bad lines ${f.bad.map((b) => b.line).join(', ')}\n`,
  );
}
writeFileSync(join(SAMPLES_DIR, 'README.md'), samplesReadme(files));
