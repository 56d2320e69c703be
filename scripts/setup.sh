#!/usr/bin/env bash
# Installs what shipwatch and its test suite need on a fresh Debian machine: the Debian packages
# that are missing (`apt-get update` once first), then the npm dependencies from the lock file.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  docker.io              # the private test daemon (dockerd, runc, containerd)
  iptables iproute2      # Docker's NAT and the test "internet" namespace
  busybox-static         # the only binary in the test image (static: the image has no libc)
  libpcap-dev            # built against by the `cap` addon
  g++ make python3       # node-gyp builds `cap` (and rebuilds it with patches/cap+0.2.1.patch)
  tcpdump tcpreplay      # packet tests and benchmarks
  prometheus prometheus-alertmanager   # the real judges of metrics and alert delivery
  chromium               # browser tests of the live page
)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

if ((${#missing[@]})); then
  if [[ $(id -u) != 0 ]]; then
    echo "setup: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

bash scripts/ensure-deps.sh
