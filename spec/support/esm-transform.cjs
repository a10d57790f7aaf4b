'use strict';
// A jest transformer for ESM-only dependencies (jose 6): jest runs specs as CommonJS through its
// own module loader, which cannot load an ES module with require(). esbuild rewrites the module to
// CommonJS; jest.config.ts applies this to node_modules/jose only (see transformIgnorePatterns).
// The library itself signs with node:crypto; only the specs use jose, to verify what it signs.
const { transformSync } = require('esbuild');

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      format: 'cjs',
      loader: 'js',
      target: 'node18',
      sourcefile: filename,
      sourcemap: 'external',
    });
    return { code, map };
  },
};
