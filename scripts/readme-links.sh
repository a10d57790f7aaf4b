#!/usr/bin/env bash
# Makes README.md's links to files of this repository absolute, so they also work on the npm
# registry page (which has no repository to resolve relative links against):
#   ](docs/x.md)  ->  ](https://github.com/OWNER/REPO/blob/main/docs/x.md)
#   ](examples/)  ->  ](https://github.com/OWNER/REPO/tree/main/examples/)
#   ![..](docs/x.svg) -> ![..](https://github.com/OWNER/REPO/blob/main/docs/x.svg?raw=true)
# Idempotent; spec/scripts/readme-links.spec.ts fails while a relative link remains.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
base=https://github.com/axios-client-credentials/axios-client-credentials
dirs='\(docs\|examples\|spec\|bench\|lib\|scripts\|\.ci\)'
sed -i \
  -e "s#\(!\[[^]]*\]\)(\(\./\)\?\(${dirs}/[^)]*\.\(svg\|png\|jpg\|gif\)\))#\1(${base}/blob/main/\3?raw=true)#g" \
  -e "s#\](\(\./\)\?\(${dirs}/[^)]*/\))#](${base}/tree/main/\2)#g" \
  -e "s#\](\(\./\)\?\(${dirs}/[^)]*[^/)]\))#](${base}/blob/main/\2)#g" \
  -e "s#\](\(\./\)\?\(CHANGELOG\.md\|LICENSE\|package\.json\))#](${base}/blob/main/\2)#g" \
  README.md
