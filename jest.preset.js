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
    testTimeout: kind === 'unit' ? 10_000 : 180_000,
  };
};
