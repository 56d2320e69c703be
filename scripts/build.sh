#!/usr/bin/env bash
# Compiles the agent's TypeScript into build/ (tsconfig.build.json: core, findings, collector,
# detectors, alerts, response, fleet, agent; never tests or benchmarks), which bin/shipwatch.js runs.
#   scripts/build.sh             always rebuild (`npm run build`)
#   scripts/build.sh --if-stale  rebuild only when the sources differ from the last build's
# Staleness compares content, not timestamps (as ensure-deps.sh does): a checkout that touches
# files without changing them costs no rebuild, and a changed file always does.
set -euo pipefail
cd "$(dirname "$0")/.."
marker=build/.shipwatch-build-sha256
sources() {
  find core findings collector detectors alerts response fleet agent -name '*.ts' -print0 | sort -z | xargs -0 sha256sum
  sha256sum tsconfig.json tsconfig.build.json
}
want=$(sources | sha256sum | cut -d' ' -f1)
fresh() { [[ -f $marker && $(cat "$marker") == "$want" ]]; }
if [[ ${1:-} == --if-stale ]] && fresh; then exit 0; fi
# Two test runs of one checkout may start at once: one builds, the other waits and finds it fresh.
exec 9>"${TMPDIR:-/tmp}/shipwatch-build-$(pwd | sha256sum | cut -c1-16).lock"
flock 9
if [[ ${1:-} == --if-stale ]] && fresh; then exit 0; fi

echo "build: compiling the agent into build/ (tsc -p tsconfig.build.json)" >&2
# From scratch: a removed source must not leave its old .js behind.
rm -rf build
npx tsc -p tsconfig.build.json
echo "$want" >"$marker"
