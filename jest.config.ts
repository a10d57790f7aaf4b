import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }],
  },
  setupFilesAfterEnv: ['<rootDir>/spec/support/unhandled.ts'],
  // Integration specs start real loopback servers; 2-core machines are slow.
  testTimeout: 30_000,
};

export default config;
