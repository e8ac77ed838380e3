#!/usr/bin/env bash
# npm run demo: installs what is missing, builds the .vsix, and opens a real VS Code with the
# extension installed and demo mode started (the simulator runs inside the extension host).
# Desktop `code` if it is on PATH; otherwise code-server on 127.0.0.1 (the URL is printed).
# Its state lives in .demo/ (git-ignored), never in your own VS Code profile. Ctrl+C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
STATE="$ROOT/.demo"
PORT="${WECOM_DEMO_PORT:-8765}"
if command -v code >/dev/null && [ -z "${WECOM_DEMO_CODE_SERVER:-}" ]; then want=node; else want=all; fi
tools_env="$(bash scripts/bootstrap.sh "$want")" # a failed install stops here (set -e)
eval "$tools_env"
bash scripts/package.sh "$STATE/wecom-chat-archive.vsix" >/dev/null
mkdir -p "$STATE/data/User" "$STATE/extensions" "$STATE/workspace"
cat >"$STATE/data/User/settings.json" <<JSON
{
  "wecomArchive.demo.startOnLaunch": true,
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "git.openRepositoryInParentFolders": "never",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.disableAIFeatures": true
}
JSON
echo "WeCom Chat Archive demo workspace" >"$STATE/workspace/README.txt"

if [ "$want" = node ]; then
  code --user-data-dir "$STATE/data" --extensions-dir "$STATE/extensions" --install-extension "$STATE/wecom-chat-archive.vsix" --force >/dev/null
  echo "Opening desktop VS Code with demo mode (state in $STATE)."
  exec code --wait --new-window --user-data-dir "$STATE/data" --extensions-dir "$STATE/extensions" "$STATE/workspace"
fi

export XDG_CONFIG_HOME="$STATE/xdg/config" XDG_DATA_HOME="$STATE/xdg/data" XDG_CACHE_HOME="$STATE/xdg/cache" TMPDIR="$STATE/tmp"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$TMPDIR"
export PATH="$WECOM_NODE24/bin:$PATH"
CS_ARGS=(--config "$STATE/config.yaml" --user-data-dir "$STATE/data" --extensions-dir "$STATE/extensions")
"$WECOM_CODE_SERVER" "${CS_ARGS[@]}" --install-extension "$STATE/wecom-chat-archive.vsix" --force >/dev/null
setsid "$WECOM_CODE_SERVER" "${CS_ARGS[@]}" --auth none --bind-addr "127.0.0.1:$PORT" --disable-telemetry \
  --disable-update-check --disable-workspace-trust "$STATE/workspace" >"$STATE/code-server.log" 2>&1 &
CS_PID=$!
stop() { kill -TERM -- "-$CS_PID" 2>/dev/null || true; sleep 2; kill -KILL -- "-$CS_PID" 2>/dev/null || true; echo; echo "Demo stopped."; }
trap stop EXIT
trap 'exit 0' INT TERM
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.25; done
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || { tail -20 "$STATE/code-server.log"; exit 1; }
echo
CS_PKG="$(dirname "$(dirname "$WECOM_CODE_SERVER")")/code-server/package.json"
echo "  WeCom Chat Archive demo is running in VS Code (code-server $(node -p "require('$CS_PKG').version"))."
echo "  Open:  http://127.0.0.1:$PORT/?folder=$STATE/workspace"
echo "  Demo mode starts by itself; the activity bar's WeCom Archive icon shows the chats."
echo "  Press Ctrl+C to stop."
wait "$CS_PID"
