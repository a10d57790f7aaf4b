#!/usr/bin/env bash
# Installs the packed package into a throwaway project, as a consumer would, and checks that:
#   - an ES module (scripts/smoke/esm.mjs) and a CommonJS module (scripts/smoke/cjs.cjs) can load
#     it and authenticate 20 concurrent requests with one token request against loopback servers;
#   - TypeScript consumers (scripts/smoke/consumer.ts, as .ts and .mts) compile with `strict` and
#     `moduleResolution: node16` and `exactOptionalPropertyTypes`, so the `skipAuth` augmentation of
#     axios reaches them and optional options accept `undefined`.
#
# Usage: bash scripts/smoke.sh [path/to/axios-client-credentials-x.y.z.tgz]
# Without a tarball it runs `npm pack` on the current build (run `npm run build` first).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ $# -ge 1 ]]; then
  tarball=$(realpath "$1")
else
  [[ -f $repo/dist/index.cjs ]] || { echo "smoke: no dist/; run 'npm run build' first" >&2; exit 1; }
  tarball="$work/$(cd "$repo" && npm pack --silent --pack-destination "$work" | tail -n 1)"
fi
[[ -f $tarball ]] || { echo "smoke: tarball not found: $tarball" >&2; exit 1; }

project="$work/consumer"
mkdir -p "$project"
cp "$repo"/scripts/smoke/{harness.cjs,esm.mjs,cjs.cjs,consumer.ts} "$project/"
cp "$project/consumer.ts" "$project/consumer.mts"
cat >"$project/package.json" <<'JSON'
{ "name": "smoke-consumer", "version": "0.0.0", "private": true }
JSON
cat >"$project/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "strict": true,
    "exactOptionalPropertyTypes": true,
    "noEmit": true,
    "target": "ES2022",
    "module": "node16",
    "moduleResolution": "node16",
    "types": ["node"],
    "skipLibCheck": false
  },
  "files": ["consumer.ts", "consumer.mts"]
}
JSON

cd "$project"
echo "smoke: installing $(basename "$tarball") and axios@1 into $project"
# axios@1: the peer range; a future axios 2 must not turn this into a peer conflict. @types/node:
# our declarations name Node types (KeyObject, https.Agent) as any Node-only library's do, and a
# TypeScript consumer of one has them.
npm install --no-audit --no-fund --loglevel=error "$tarball" axios@1 @types/node@20

node esm.mjs
node cjs.cjs
"$repo/node_modules/.bin/tsc" -p tsconfig.json
echo "smoke types: ok (consumer.ts as CommonJS, consumer.mts as ESM, node16, strict, exactOptionalPropertyTypes)"
