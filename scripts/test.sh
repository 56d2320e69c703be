#!/usr/bin/env bash
# The whole test suite, in the house order, stopping at the first failure:
# setup → build → type-check → lint → unit → integration (real dockerd) → attack catalogue → e2e
# (real browser).
# Integration and e2e need root (dockerd, network namespaces, packet capture).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*" >&2; }
reports=$(mktemp -d)
summary() { node scripts/test-summary.mjs "$reports"/unit.json "$reports"/integration.json "$reports"/attacks.json "$reports"/e2e.json; }
trap summary EXIT

vitest() { # project, extra args...
  local project=$1
  shift
  npx vitest run --project "$project" --reporter=default --reporter=json --outputFile.json="$reports/$project.json" "$@"
}

step "setup (Debian packages, npm dependencies)"
bash scripts/setup.sh
step "build (build/, what bin/shipwatch.js runs)"
bash scripts/build.sh --if-stale
step "type-check"
npx tsc --noEmit
step "lint"
npx eslint --max-warnings 0 .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
step "unit tests"
vitest unit
step "integration tests (private dockerd)"
vitest integration
# e2e before the attack catalogue, so the page is checked even when the catalogue fails.
step "e2e tests (chromium)"
vitest e2e --passWithNoTests
step "attack catalogue (private dockerd, test/attacks/)"
vitest attacks
