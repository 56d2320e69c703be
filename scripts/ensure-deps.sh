#!/usr/bin/env bash
# Installs the npm dependencies from the lock file when node_modules was not installed from this
# exact lock file. Compares content, not timestamps: a checkout that touches the lock file without
# changing it must not trigger `npm ci`, which empties node_modules before it downloads anything.
set -euo pipefail
cd "$(dirname "$0")/.."
marker=node_modules/.shipwatch-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $marker || $(cat "$marker") != "$want" ]]; then
  echo "setup: installing npm dependencies (npm ci)" >&2
  npm ci --prefer-offline --no-fund --no-audit --loglevel=error >&2
  echo "$want" >"$marker"
fi
