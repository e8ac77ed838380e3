#!/usr/bin/env bash
# npm run package: a production build (minified, no source maps) and a .vsix, offline (everything
# is bundled: no node_modules). Prints the .vsix and host-bundle sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-wecom-chat-archive.vsix}"
if [ -z "${WECOM_NODE22:-}" ]; then
  tools_env="$(bash scripts/bootstrap.sh node)" # a failed install stops here (set -e)
  eval "$tools_env"
fi
# A fresh dist/: a development build's source maps must not linger next to the minified bundles.
rm -rf dist
node esbuild.mjs --production
vsce=(node node_modules/@vscode/vsce/vsce)
files="$("${vsce[@]}" ls --no-dependencies)"
if grep -E '\.map$' <<<"$files"; then
  echo "package: source maps would ship in the .vsix (above); .vscodeignore must leave them out" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
"${vsce[@]}" package --no-dependencies --allow-missing-repository -o "$out"
kb() { echo "$(( ($(wc -c < "$1") + 1023) / 1024 )) KB"; }
host_kb=$(( ($(wc -c < dist/extension.js) + 1023) / 1024 ))
echo "package: $out $(kb "$out"); host bundle dist/extension.js ${host_kb} KB (goal < 400 KB); archive worker $(kb dist/archive-worker.js); webviews $(kb dist/webview/search.js) + $(kb dist/webview/stream.js)"
if [ "$host_kb" -ge 400 ]; then echo "package: warning: the host bundle is over its 400 KB goal" >&2; fi
