import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from './codegen/generate';
import { CONTRACTS_DIR } from './paths';

describe('generated types', () => {
  const fresh = generate(CONTRACTS_DIR);

  it.each(Object.keys(fresh))('src/generated/%s matches schemas/*.avsc and topics.json', (file) => {
    const committed = readFileSync(join(__dirname, 'generated', file), 'utf8');
    // On failure: run `pnpm --filter @citypulse/contracts generate` and commit the result.
    expect(committed).toBe(fresh[file as keyof typeof fresh]);
  });
});
