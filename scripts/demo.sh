#!/usr/bin/env bash
# Demo: the private test daemon with a small sample app (web on frontend, api on frontend+backend,
# db on backend) running a bounded benign loop, and the agent watching it. Ctrl-C stops the agent;
# `scripts/testenv.sh down` removes the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
eval "$(bash scripts/testenv.sh up | sed 's/^/export /')"
image=$SHIPWATCH_TEST_IMAGE

docker network inspect demo_frontend >/dev/null 2>&1 || docker network create --label shipwatch.zone=dmz demo_frontend >/dev/null
docker network inspect demo_backend >/dev/null 2>&1 || docker network create --label shipwatch.zone=internal demo_backend >/dev/null

start() { # name, networks..., -- command
  local name=$1; shift
  local nets=()
  while [[ $1 != -- ]]; do nets+=("$1"); shift; done
  shift
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker create --pull=never --name "$name" --network "${nets[0]}" --network-alias "${name#demo-}" \
    --label com.docker.compose.project=demo --label "com.docker.compose.service=${name#demo-}" \
    "$image" sh -c "$*" >/dev/null
  for net in "${nets[@]:1}"; do docker network connect --alias "${name#demo-}" "$net" "$name"; done
  docker start "$name" >/dev/null
}
# Each loop is bounded: 2000 rounds at most, about one every 2 s (~70 minutes).
start demo-db demo_backend -- 'while true; do echo ok | nc -l -p 5432 >/dev/null; done'
start demo-api demo_frontend demo_backend -- \
  'httpd -p 8080 -h /tmp; i=0; while [ $i -lt 2000 ]; do echo q | nc -w 1 db 5432 >/dev/null; date >> /var/log/api.log; i=$((i+1)); sleep 2; done'
start demo-web demo_frontend -- \
  'i=0; while [ $i -lt 2000 ]; do printf "GET / HTTP/1.0\r\n\r\n" | nc -w 1 api 8080 >/dev/null; echo hit >> /tmp/web.log; i=$((i+1)); sleep 2; done'

echo "demo: app running; starting the agent on http://127.0.0.1:9477 (Ctrl-C to stop)" >&2
mkdir -p .state/demo
exec node bin/shipwatch.js run --docker-host "$DOCKER_HOST" --state-dir .state/demo --learn 1m
