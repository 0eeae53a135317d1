// The fault suite (`make test-faults`): test/faults/*.fault-spec.ts, one case per file, run in band.
const e2e = require('./jest.e2e.config.js');
module.exports = {
  ...e2e,
  testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
  testTimeout: 1_800_000,
};
