#!/usr/bin/env bash
# Node lines from the npm registry's `node` package, installed once per line into a cache outside the
# clone (CI runs in a fresh clone each time), so no run downloads a line it already has.
#   source scripts/node-line.sh && ensure_node 24   # puts Node 24 first on PATH if `node` is older
#   scripts/node-line.sh 22                         # prints the bin directory of the newest Node 22
set -euo pipefail
NODE_LINE_CACHE="${NODE_LINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/callastar-node}"

# The bin directory (holding `node`) of the newest release of line $1, installed on first use.
node_line_bin() {
  local line="$1" dir="$NODE_LINE_CACHE/$1"
  if [ ! -x "$dir/node_modules/.bin/node" ]; then
    local tmp
    mkdir -p "$NODE_LINE_CACHE"
    tmp="$(mktemp -d "$NODE_LINE_CACHE/.install-$line-XXXXXX")"
    echo "installing Node $line from the npm registry's node package into $dir" >&2
    (cd "$tmp" && npm i --prefix "$tmp" --no-save --no-audit --no-fund --loglevel=error "node@$line" >&2)
    rm -rf "$dir" && mv "$tmp" "$dir"
  fi
  echo "$dir/node_modules/.bin"
}

# Puts Node line $1 first on PATH unless the `node` on PATH is already that line or newer.
ensure_node() {
  local want="$1" have=0
  if command -v node >/dev/null 2>&1; then have="$(node -p 'process.versions.node.split(".")[0]')"; fi
  if [ "$have" -lt "$want" ]; then
    local bin
    bin="$(node_line_bin "$want")"
    export PATH="$bin:$PATH"
    echo "node $(node -v) from $bin (the machine's is ${have:-absent})" >&2
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then node_line_bin "$1"; fi
