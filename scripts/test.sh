#!/usr/bin/env bash
# npm test / test:unit / test:webview / test:service / test:vscode: installs what is missing, builds, runs the tiers.
set -euo pipefail
cd "$(dirname "$0")/.."
tier="${1:-all}"
case "$tier" in
  unit) want=node ;;
  webview) want=browser ;;
  service) want=service ;;
  desktop) want=node ;;
  *) want=all ;;
esac
tools_env="$(bash scripts/bootstrap.sh "$want")" # a failed install stops here (set -e)
eval "$tools_env"
node esbuild.mjs --tests
if [ "$tier" = desktop ]; then exec node out/test/desktop/run.js; fi
if [ "$tier" = all ] || [ "$tier" = vscode ]; then
  export WECOM_VSIX="$PWD/.test-artifacts/wecom-chat-archive.vsix"
  bash scripts/package.sh "$WECOM_VSIX" >/dev/null
fi
exec node scripts/run-tests.mjs "$tier"
