#!/usr/bin/env bash
# npm run simulator -- --port 0 --seed 7 --messages 20000   (see --help)
# The first line on stdout is one JSON object (url, access_token, token, …); it serves until SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
tools_env="$(bash scripts/bootstrap.sh node)" # a failed install stops here (set -e)
eval "$tools_env"
[ -f dist/simulator.js ] && [ dist/simulator.js -nt src/core/simulator/cli.ts ] || node esbuild.mjs >&2
exec node dist/simulator.js "$@"
