// The specs Stryker runs against each mutant (npm run test:mutation): each core module's own unit
// spec file. A mutant those cannot kill is a behaviour the module's own fast tests do not pin down.
// Running every unit spec instead (about 90 cover each core mutant, through installClientCredentials)
// took hours per module on a 2-core machine; more specs can only kill more mutants, so the score
// this config gives is a lower bound of the whole suite's.
import type { Config } from 'jest';
import base from '../jest.config';

const MODULE_SPECS = ['refresh', 'lock', 'origins', 'cache-key', 'interceptors', 'token-manager', 'token-endpoint'];

const config: Config = {
  ...base,
  rootDir: '..',
  testMatch: MODULE_SPECS.map((name) => `<rootDir>/spec/${name}.spec.ts`),
};

export default config;
