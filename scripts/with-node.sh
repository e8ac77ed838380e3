#!/usr/bin/env bash
# Runs a command with the project's dependencies installed and Node 22 first on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/bootstrap.sh node)"
export PATH="$PWD/node_modules/.bin:$PATH"
exec "$@"
