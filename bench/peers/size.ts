/**
 * The minified and gzipped size of a library as a user's bundler would include it: esbuild bundles
 * an entry that imports what the user's code imports, with axios left out (every contender needs
 * it anyway), minified for Node, then node:zlib gzips the result.
 */
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export interface SizeResult {
  minifiedBytes: number;
  gzippedBytes: number;
}

/** Bundles `entrySource` (resolved from `resolveDir`), axios left out. */
export async function bundleSize(entrySource: string, resolveDir: string): Promise<SizeResult> {
  const result = await build({
    stdin: { contents: entrySource, resolveDir, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    external: ['axios'],
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { minifiedBytes: code.byteLength, gzippedBytes: gzipSync(code).byteLength };
}
