#!/usr/bin/env bash
# npm run server [-- --corps 5 --messages 50000 --listen 127.0.0.1:8080]: the archive service in demo
# mode — the simulator in its process (several corps) and a throwaway PostgreSQL cluster, removed when
# the service stops (Ctrl-C). For a real deployment: node dist/server.js --config server.json (README).
set -euo pipefail
cd "$(dirname "$0")/.."
tools_env="$(bash scripts/bootstrap.sh service)" # a failed install stops here (set -e)
eval "$tools_env"
node esbuild.mjs >&2
exec node scripts/postgres.mjs -- node dist/server.js --demo "$@"
