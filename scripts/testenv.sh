#!/usr/bin/env bash
# The private test environment: a dockerd of our own (own socket, data root, exec root, addresses
# inside 198.18.0.0/15), a busybox test image, and a test "internet" host in a network namespace
# holding 203.0.113.0/24. Never touches another daemon; tears down only what it created.
#
#   scripts/testenv.sh up      start (idempotent) and print the variables to export
#   scripts/testenv.sh down    stop and remove everything it created
#   scripts/testenv.sh status  exit 0 when the daemon answers
#
# Network safety: the only addresses configured here are 198.18.0.0/15 (Docker) and
# 203.0.113.0/24 (the test host). The daemon's DNS is the test host, so containers never ask an
# outside resolver.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

ENV_DIR=${SHIPWATCH_TESTENV_DIR:-/tmp/sw-env}
SOCK=$ENV_DIR/docker.sock
export DOCKER_HOST=unix://$SOCK
IMAGE=shipwatch-test/busybox:latest
NETNS=sw-inet
VETH_HOST=sw-inet-h     # host end of the veth; the namespace end is renamed eth0
LINK_HOST=198.19.254.1  # point-to-point link between host and test host (outside Docker's pool)
LINK_NS=198.19.254.2
INET_HOSTS=(203.0.113.10 203.0.113.20 203.0.113.53)

log() { echo "testenv: $*" >&2; }

daemon_up() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

start_daemon() {
  if daemon_up; then return; fi
  mkdir -p "$ENV_DIR/data" "$ENV_DIR/exec"
  log "starting private dockerd on $SOCK"
  # --bip: the default bridge; --default-address-pool: every user network. Both in 198.18.0.0/15.
  # --dns: containers resolve through our own test DNS server only.
  setsid dockerd \
    --host "unix://$SOCK" \
    --data-root "$ENV_DIR/data" \
    --exec-root "$ENV_DIR/exec" \
    --pidfile "$ENV_DIR/dockerd.pid" \
    --bip 198.19.255.1/24 \
    --default-address-pool base=198.18.0.0/16,size=24 \
    --dns 203.0.113.53 \
    --log-level warn \
    >"$ENV_DIR/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    daemon_up && return
    sleep 0.25
  done
  log "dockerd did not answer within 30 s; its log:"
  tail -20 "$ENV_DIR/dockerd.log" >&2
  exit 1
}

build_image() {
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then return; fi
  log "building $IMAGE from busybox-static"
  local root
  root=$(mktemp -d)
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,var/log,root,home,proc,sys,dev}
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  # Applets run by argv[0]: one symlink per applet, where busybox itself would install it.
  while read -r applet; do
    [[ $applet == /bin/busybox ]] && continue
    mkdir -p "$root$(dirname "$applet")"
    ln -sf /bin/busybox "$root$applet"
  done < <(/bin/busybox --list-full | sed 's|^|/|')
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\napp:x:1000:1000:app:/home:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\napp:x:1000:\n' >"$root/etc/group"
  echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
  rm -rf "$root"
}

start_test_host() {
  if ! ip netns list | grep -qw "$NETNS"; then
    log "creating test host $NETNS (${INET_HOSTS[*]})"
    ip netns add "$NETNS"
    ip link add "$VETH_HOST" type veth peer name sw-inet-ns
    ip link set sw-inet-ns netns "$NETNS"
    ip addr add "$LINK_HOST/30" dev "$VETH_HOST"
    ip link set "$VETH_HOST" up
    ip -n "$NETNS" link set sw-inet-ns name eth0
    ip -n "$NETNS" addr add "$LINK_NS/30" dev eth0
    ip -n "$NETNS" link set eth0 up
    ip -n "$NETNS" link set lo up
    for addr in "${INET_HOSTS[@]}"; do ip -n "$NETNS" addr add "$addr/32" dev lo; done
    ip -n "$NETNS" route add default via "$LINK_HOST"
  fi
  ip route replace 203.0.113.0/24 via "$LINK_NS" dev "$VETH_HOST"
  local pidfile=$ENV_DIR/test-host.pid
  if [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then return; fi
  ip netns exec "$NETNS" setsid node "$here/test-host.mjs" >"$ENV_DIR/test-host.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 1 40); do
    grep -q '^listening' "$ENV_DIR/test-host.log" 2>/dev/null && return
    sleep 0.25
  done
  log "test host listener did not start; its log:"
  cat "$ENV_DIR/test-host.log" >&2
  exit 1
}

stop_pidfile() {
  local pidfile=$1 pid
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 80); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

down() {
  if daemon_up; then
    # Containers first, so their veths and mounts go away cleanly with the daemon.
    ids=$(docker ps -aq)
    [[ -n $ids ]] && docker rm -f $ids >/dev/null 2>&1 || true
  fi
  stop_pidfile "$ENV_DIR/dockerd.pid"
  stop_pidfile "$ENV_DIR/test-host.pid"
  ip route del 203.0.113.0/24 via "$LINK_NS" 2>/dev/null || true
  ip link del "$VETH_HOST" 2>/dev/null || true
  ip netns del "$NETNS" 2>/dev/null || true
  # The data root is kept (image cache) unless asked: SHIPWATCH_TESTENV_PURGE=1.
  if [[ ${SHIPWATCH_TESTENV_PURGE:-0} == 1 ]]; then
    # Docker leaves network-namespace bind mounts under the exec root; unmount before removing.
    for mnt in $(awk -v d="$ENV_DIR" '$2 ~ "^"d {print $2}' /proc/mounts | sort -r); do umount -l "$mnt" 2>/dev/null || true; done
    rm -rf "$ENV_DIR"
  fi
  log "down"
}

case ${1:-} in
  up)
    [[ $(id -u) == 0 ]] || { log "needs root (dockerd, network namespaces)"; exit 1; }
    start_daemon
    build_image
    start_test_host
    echo "DOCKER_HOST=$DOCKER_HOST"
    echo "SHIPWATCH_TEST_IMAGE=$IMAGE"
    ;;
  down) down ;;
  status) daemon_up ;;
  *)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
