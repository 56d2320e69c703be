#!/usr/bin/env bash
# Installs what shipwatch needs on a fresh Debian machine: the Debian packages that are missing
# (`apt-get update` once first), then the npm dependencies from the lock file (ensure-deps.sh,
# which also checks the agent's own packages). Idempotent: a second run only checks.
#
#   scripts/setup.sh           everything the test suite needs (`npm test`)
#   scripts/setup.sh --demo    the agent and the private test daemon (`npm run demo`)
#   scripts/setup.sh --agent   the agent only (what `npm start` checks, through ensure-deps.sh)
# The package lists, by who needs them, are in scripts/packages.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=packages.sh
source scripts/packages.sh
case ${1:-} in
  --agent) ;; # ensure-deps.sh below checks the agent's packages before it installs
  --demo) ensure_packages "the demo" "${AGENT_PACKAGES[@]}" "${DEMO_PACKAGES[@]}" ;;
  '') ensure_packages "the test suite" "${AGENT_PACKAGES[@]}" "${DEMO_PACKAGES[@]}" "${TEST_PACKAGES[@]}" ;;
  *)
    echo "usage: $0 [--agent|--demo]" >&2
    exit 2
    ;;
esac

bash scripts/ensure-deps.sh
