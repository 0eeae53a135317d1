// The security tests (test/security): the services on the secure profile of the native stack
// (SASL/SCRAM over TLS, the registry behind basic auth). `make test-security`; see the README.
const e2e = require('./jest.e2e.config.js');
module.exports = {
  ...e2e,
  testMatch: ['<rootDir>/test/security/**/*.security-spec.ts'],
  testTimeout: 900_000,
};
