#!/usr/bin/env bash
# Runs a command with the project's dependencies installed and Node 22 first on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
tools_env="$(bash scripts/bootstrap.sh node)" # a failed install stops here (set -e)
eval "$tools_env"
export PATH="$PWD/node_modules/.bin:$PATH"
exec "$@"
