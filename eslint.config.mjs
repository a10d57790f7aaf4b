// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Rules for everything: a promise nobody awaits hides failures, in tests and scripts too.
 * @type {import('eslint').Linter.RulesRecord}
 */
const promiseRules = {
  '@typescript-eslint/no-floating-promises': 'error',
  '@typescript-eslint/no-misused-promises': 'error',
  // The token store and the token manager answer `T | Promise<T>` on purpose (a cached token comes
  // back synchronously), so `Promise.all()` over such values is normal here. An array that can
  // hold no promise at all is still an error.
  '@typescript-eslint/await-thenable': ['error', { allowMixedPromiseArrays: true }],
};

export default defineConfig(
  {
    ignores: ['dist/', 'node_modules/', 'coverage/', 'docs/api/', '.tmp/', 'bench/results/', '*.tgz'],
  },
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        project: './tsconfig.eslint.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  // lib/: the published code gets the full type-checked set.
  {
    files: ['lib/**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    rules: {
      ...promiseRules,
      // Numbers in messages ("HTTP 401", "at least 0") are intended. Unlike the preset, `any`,
      // null and undefined are not: an error message or header reading "undefined" is a bug.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowAny: false, allowNullish: false, allowRegExp: false },
      ],
      // Passing on a rejection reason we were handed (an axios cancel reason, a shared exchange's
      // failure) must keep it as is; `unknown` is that case. Creating a non-Error still fails.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },

  // Tests, benchmarks, examples, scripts and root config files: lighter, no `any` policing,
  // but still no floating promises.
  {
    files: ['spec/**', 'bench/**', 'examples/**', 'scripts/**', '*.ts', '*.mjs', '*.cjs', '*.js'],
    ignores: ['lib/**'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    rules: {
      ...promiseRules,
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
