// Shared jest setup: ts-jest in ESM mode, with sibling packages imported from
// source through the "@cbor-rpc/source" export condition (no build needed).
// Jest 30 fails the running test on an unhandled promise rejection by itself.
export default {
  testEnvironment: 'node',
  testEnvironmentOptions: {
    customExportConditions: ['@cbor-rpc/source', 'node', 'node-addons'],
  },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 20000,
};
