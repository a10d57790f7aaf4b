// The specs Stryker runs against each mutant (npm run test:mutation): the unit specs, which run in
// seconds. Integration specs with real servers and processes stay out: they are too slow to run per
// mutant, and a behaviour only they pin down is one a fast test should pin down too.
import type { Config } from 'jest';
import base from '../jest.config';

const config: Config = {
  ...base,
  rootDir: '..',
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/spec/integration/',
    '<rootDir>/spec/examples/',
    '<rootDir>/spec/scripts/',
    '<rootDir>/spec/support/',
    '<rootDir>/spec/soak\\.spec\\.ts$',
    '<rootDir>/spec/stores/redis',
  ],
};

export default config;
