#!/usr/bin/env bash
# npm run bench [-- --quick]: the benchmarks, one `name: value unit` line per figure.
#   sync:    1M messages (100k with --quick) from the simulator vs a bare undici loop; store queries
#   corps:   20 corps × 20k messages (5k with --quick) at 30 ms latency: the scheduler vs a bare undici loop
#   server:  the archive service into PostgreSQL: 1M messages (100k) vs a bare COPY; corps per core
#   tree:    expanding a group of 10k chats
#   webview: a 100k-message chat in headless Chromium
#   team:    50 team-API clients paging streams, idle and while the engine ingests (SQLite)
#   team.pg: the same clients on the real service and PostgreSQL, idle and while it ingests 300k (100k)
set -euo pipefail
cd "$(dirname "$0")/.."
tools_env="$(bash scripts/bootstrap.sh browser)" # a failed install stops here (set -e)
eval "$tools_env"
bash scripts/bootstrap.sh service >/dev/null # PostgreSQL's server binaries, for server.bench
node esbuild.mjs --tests >/dev/null
echo "# $(date -u +%FT%TZ) · node $(node -v) · $(nproc) cores"
node out/bench/sync.bench.js "$@"
node out/bench/corps.bench.js "$@"
node out/bench/server.bench.js "$@"
node out/bench/tree.bench.js
node out/bench/webview.bench.js "$@"
node out/bench/team.bench.js "$@"
node out/bench/teamPg.bench.js "$@"
