#!/usr/bin/env bash
# npm run package: a production build and a .vsix, offline (everything is bundled: no node_modules).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-wecom-chat-archive.vsix}"
if [ -z "${WECOM_NODE22:-}" ]; then
  tools_env="$(bash scripts/bootstrap.sh node)" # a failed install stops here (set -e)
  eval "$tools_env"
fi
node esbuild.mjs --production
mkdir -p "$(dirname "$out")"
node node_modules/@vscode/vsce/vsce package --no-dependencies --allow-missing-repository -o "$out"
