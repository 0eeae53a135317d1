#!/usr/bin/env node
// Regenerates src/generated/*.ts from schemas/*.avsc and topics.json.
// The generator is TypeScript (src/codegen/generate.ts, linted and tested like the rest);
// it is loaded through @swc/core, the compiler the test runner already uses, so no build is needed.
const { writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const swc = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformFileSync(filename, {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

const root = join(__dirname, '..');
const { generate } = require(join(root, 'src', 'codegen', 'generate.ts'));
const out = join(root, 'src', 'generated');
mkdirSync(out, { recursive: true });
for (const [file, text] of Object.entries(generate(root))) {
  writeFileSync(join(out, file), text);
  console.log(`wrote src/generated/${file}`);
}
