import { defineConfig } from 'tsup';

/**
 * Dual build from lib/index.ts, matching the exports map in package.json:
 *
 * - `import`:  dist/index.mjs with dist/index.d.mts
 * - `require`: dist/index.cjs with dist/index.d.ts
 *
 * The CommonJS types are `.d.ts`, not `.d.cts`: tsup drops `outExtension` when it hands the options
 * to its declaration worker, so declarations always get its default names. In this
 * `"type": "commonjs"` package a `.d.ts` is read as CommonJS types, which is what `require` needs
 * (are-the-types-wrong checks it). Both declaration files keep the `declare module 'axios'`
 * augmentation that adds `skipAuth`.
 */
export default defineConfig({
  // `redis` is the `./redis` subpath (RedisTokenStore). It imports only types from ioredis, an optional
  // peer dependency (so external): the main entry never loads it.
  // `nestjs` is the `./nestjs` subpath (ClientCredentialsModule): @nestjs/* are optional peers,
  // external like axios, and the main entry never loads it. `opentelemetry` is the
  // `./opentelemetry` subpath: it imports @opentelemetry/api, an optional peer dependency (so
  // external), and reaches installations only through node:diagnostics_channel. `dpop` is the
  // `./dpop` subpath (dpop()): the only way in to the DPoP code, so the main entry never loads it.
  entry: {
    index: 'lib/index.ts',
    redis: 'lib/stores/redis.ts',
    nestjs: 'lib/nestjs.ts',
    opentelemetry: 'lib/opentelemetry.ts',
    dpop: 'lib/dpop-option.ts',
  },
  outDir: 'dist',
  format: ['esm', 'cjs'],
  outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.mjs' }),
  dts: true,
  target: 'node20',
  platform: 'node',
  // The peer dependencies and the runtime dependency stay imports, resolved by the consumer.
  external: ['axios', 'mutex-js', /^@nestjs\//, '@opentelemetry/api'],
  // Keep `node:crypto` as written: a bare `crypto` could resolve to a userland package in a bundler.
  removeNodeProtocol: false,
  // CommonJS too: the ./nestjs entry then shares the core (one default store, one install registry)
  // with the main entry instead of bundling a second copy of it.
  splitting: true,
  // Rollup, not sucrase, turns the split chunks into CommonJS: sucrase also rewrites optional
  // chaining and class fields into helper calls (an array and closures per `?.`), which cost the
  // warm path of every require() user about 2,500 instructions per request (bench:instructions).
  treeshake: true,
  sourcemap: false,
  clean: true,
});
