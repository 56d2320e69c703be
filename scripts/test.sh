#!/usr/bin/env bash
# The whole test suite, in the house order, stopping at the first failure:
# setup → type-check → lint → unit → integration (real dockerd) → e2e (real browser).
# Integration and e2e need root (dockerd, network namespaces, packet capture).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*" >&2; }

step "setup (Debian packages, npm dependencies)"
bash scripts/setup.sh
step "type-check"
npx tsc --noEmit
step "lint"
npx eslint --max-warnings 0 .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
step "unit tests"
npx vitest run --project unit
step "integration tests (private dockerd)"
npx vitest run --project integration
step "e2e tests (chromium)"
npx vitest run --project e2e --passWithNoTests
