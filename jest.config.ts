import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }],
    // jose 6 (a devDependency: specs verify our JWTs with it) is ESM-only, and jest's CommonJS
    // loader cannot require() it: esbuild rewrites it.
    '^.+/node_modules/jose/.+\\.js$': '<rootDir>/spec/support/esm-transform.cjs',
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  setupFilesAfterEnv: ['<rootDir>/spec/support/unhandled.ts'],
  // Integration specs start real loopback servers; 2-core machines are slow.
  testTimeout: 30_000,
  // Most spec files spend their time waiting on loopback servers, Redis, child processes and
  // timers, not computing. Jest's default of one worker per core but one leaves a 2-core machine
  // with a single worker and a half-idle CPU: the suite took 134 s so; with 3 workers 69-73 s
  // (jest's own "Time", 2026-12-02).
  maxWorkers: 3,
};

export default config;
