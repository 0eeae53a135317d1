// hyparquet is ESM only: let SWC turn it into CommonJS for Jest like our own TypeScript.
const preset = require('../jest.preset.js')('e2e');
module.exports = {
  ...preset,
  transform: { ...preset.transform, '^.+hyparquet.+\\.js$': preset.transform['^.+\\.ts$'] },
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/hyparquet[^/]*/node_modules/)?hyparquet/)'],
  testTimeout: 900_000,
};
