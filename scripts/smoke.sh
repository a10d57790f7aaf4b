#!/usr/bin/env bash
# Installs the packed package into a throwaway project, as a consumer would, and checks that:
#   - an ES module (scripts/smoke/esm.mjs) and a CommonJS module (scripts/smoke/cjs.cjs) can load
#     it and authenticate 20 concurrent requests with one token request against loopback servers;
#   - TypeScript consumers (scripts/smoke/consumer.ts, as .ts and .mts) compile with `strict` and
#     `moduleResolution: node16` and `exactOptionalPropertyTypes`, so the `skipAuth` augmentation of
#     axios reaches them and optional options accept `undefined`.
#
# Usage: [SMOKE_AXIOS=1.x.y] [SMOKE_NODE=path/to/node] bash scripts/smoke.sh [path/to/axios-client-credentials-x.y.z.tgz]
# Without a tarball it runs `npm pack` on the current build (run `npm run build` first).
# SMOKE_AXIOS: the axios version to install beside it (default: the newest of the peer range); .ci/run tests
# the oldest and newest of the peer range. SMOKE_NODE: the node binary that runs the consumer
# scripts (default: the node on PATH); .ci/run runs them on each supported Node major.
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
# Default: the peer range itself, which npm resolves to its newest version.
axios_version=${SMOKE_AXIOS:-$(node -p "require('$repo/package.json').peerDependencies.axios")}
node_bin=${SMOKE_NODE:-node}
echo "smoke: installing $(basename "$tarball") and axios@$axios_version into $project; running on Node $("$node_bin" --version)"
# --strict-peer-deps: an axios outside the peer range fails here. @types/node: our declarations
# name Node types (KeyObject, https.Agent) as any Node-only library's do, and a TypeScript
# consumer of one has them.
npm install --no-audit --no-fund --loglevel=error --strict-peer-deps "$tarball" "axios@$axios_version" @types/node@20
echo "smoke: axios $(node -p 'JSON.parse(require("fs").readFileSync("node_modules/axios/package.json", "utf8")).version')"

"$node_bin" esm.mjs
"$node_bin" cjs.cjs
if [[ -f node_modules/axios/index.d.cts ]]; then
  "$repo/node_modules/.bin/tsc" -p tsconfig.json
  echo "smoke types: ok (consumer.ts as CommonJS, consumer.mts as ESM, node16, strict, exactOptionalPropertyTypes)"
else
  # axios before 1.2 ships no CommonJS declarations: under node16 a CommonJS TypeScript file cannot
  # import axios itself, whatever this package does. The ESM consumer still has to compile.
  "$repo/node_modules/.bin/tsc" --strict --noEmit --target ES2022 --module node16 --moduleResolution node16 --exactOptionalPropertyTypes \
    --types node --skipLibCheck false consumer.mts
  echo "smoke types: ok (consumer.mts as ESM, node16, strict; this axios has no CommonJS declarations)"
fi
