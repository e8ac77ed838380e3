#!/usr/bin/env bash
# npm run simulator -- --port 0 --seed 7 --messages 20000   (see --help)
# The first line on stdout is one JSON object (url, access_token, token, …); it serves until SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/bootstrap.sh node)"
[ -f dist/simulator.js ] && [ dist/simulator.js -nt src/simulator/cli.ts ] || node esbuild.mjs >&2
exec node dist/simulator.js "$@"
