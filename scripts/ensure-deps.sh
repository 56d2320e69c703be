#!/usr/bin/env bash
# Installs the npm dependencies from the lock file when node_modules was not installed from this
# exact lock file. Compares content, not timestamps: a checkout that touches the lock file without
# changing it must not trigger `npm ci`, which empties node_modules before it downloads anything.
# Tries npm's local cache first (no network at all), then the registry. Before installing, the
# Debian packages `npm ci` needs to build the `cap` addon (scripts/packages.sh, AGENT_PACKAGES):
# installed when run as root, else named with the command that installs them (exit 1), rather
# than a node-gyp error about pcap.h deep inside npm's output.
set -euo pipefail
cd "$(dirname "$0")/.."
marker=node_modules/.shipwatch-lock-sha256
# The patches under patches/ are applied (and cap rebuilt) by the postinstall script: a changed
# patch needs a fresh install as much as a changed lock file does.
want=$(cat package-lock.json patches/*.patch | sha256sum | cut -d' ' -f1)
[[ -f $marker && $(cat "$marker") == "$want" ]] && exit 0

# shellcheck source=packages.sh
source scripts/packages.sh
ensure_packages "the agent" "${AGENT_PACKAGES[@]}"
echo "setup: installing npm dependencies (npm ci)" >&2
saved=$(mktemp)
cp package-lock.json "$saved"
restore() { cp "$saved" package-lock.json && rm -f "$saved"; }
node scripts/lockfile-with-resolved.mjs "$(npm config get registry)" >"$saved.offline"
cp "$saved.offline" package-lock.json && rm -f "$saved.offline"
if npm ci --offline --no-fund --no-audit --loglevel=error >&2 2>/dev/null; then
  restore
else
  restore
  echo "setup: not everything is in npm's cache; installing from the registry" >&2
  npm ci --prefer-offline --no-fund --no-audit --loglevel=error >&2
fi
echo "$want" >"$marker"
