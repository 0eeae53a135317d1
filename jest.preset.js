// Shared Jest settings: TypeScript through SWC (keeps decorator metadata for NestJS DI).
/** @param {string} kind 'unit' | 'int' | 'e2e' */
module.exports = function preset(kind) {
  // Jest writes --outputFile without creating its folder; scripts/test-summary.py reads these.
  require('node:fs').mkdirSync('.test-results', { recursive: true });
  const match = {
    unit: ['<rootDir>/src/**/*.spec.ts'],
    int: ['<rootDir>/{src,test}/**/*.int-spec.ts'],
    e2e: ['<rootDir>/**/*.e2e-spec.ts'],
  }[kind];
  return {
    testEnvironment: 'node',
    testMatch: match,
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: {
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
            target: 'es2022',
          },
          module: { type: 'commonjs' },
        },
      ],
    },
    moduleFileExtensions: ['ts', 'js', 'json'],
    // unit: 60 s, not jest's 5 s: a spec that boots a Nest app with its OpenAPI document took more
    // than 10 s in its beforeAll on a 2-core machine at load 30 (a clean-clone make test); a hang
    // still fails, a minute later
    testTimeout: kind === 'unit' ? 60_000 : 180_000,
  };
};
