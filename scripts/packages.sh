# Debian packages by who needs them, and the one function that installs what is missing. Sourced
# by ensure-deps.sh (the agent: `npm start`) and setup.sh (the demo and the test suite).
#
#   agent  building and running the agent: the `cap` addon is built by node-gyp against libpcap
#          (libpcap-dev pulls in the libpcap0.8 runtime the agent loads)
#   demo   the private test daemon and its "internet" host that `npm run demo` brings up
#   test   everything else the test suite drives or judges with

# shellcheck disable=SC2034 # used by the scripts that source this file
AGENT_PACKAGES=(
  libpcap-dev            # headers and runtime of libpcap, for the `cap` addon
  g++ make python3       # node-gyp builds `cap` (and rebuilds it with patches/cap+0.2.1.patch)
  libjs-d3               # d3 3.5, the live page's map (served by the agent at /web/vendor/d3.min.js)
)
# shellcheck disable=SC2034
DEMO_PACKAGES=(
  docker.io              # the private test daemon (dockerd, runc, containerd)
  iptables iproute2      # Docker's NAT and the test "internet" namespace
  busybox-static         # the only binary in the test image (static: the image has no libc)
)
# shellcheck disable=SC2034
TEST_PACKAGES=(
  tcpdump tcpreplay      # packet tests and benchmarks
  prometheus prometheus-alertmanager   # the real judges of metrics and alert delivery
  chromium               # browser tests of the live page
  nats-server            # the fleet's JetStream cluster (a 3-node cluster on loopback in tests)
  forkstat               # the process-events benchmark's peer
)

# missing_packages PKG...: prints those not installed, space-separated (nothing when all are).
missing_packages() {
  local installed
  # One dpkg-query for all of them: about 20 ms, so `npm start` can afford it every time.
  installed=$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null | awk '/ install ok installed$/ {print $1}')
  local pkg out=()
  for pkg in "$@"; do
    grep -qx "$pkg" <<<"$installed" || out+=("$pkg")
  done
  echo "${out[*]}"
}

# ensure_packages WHAT PKG...: installs the missing ones as root; otherwise names them and the
# command that installs them, and returns 1. WHAT says who needs them, for the messages.
ensure_packages() {
  local what=$1
  shift
  if ! command -v dpkg-query >/dev/null; then
    echo "setup: not a Debian system; $what needs: $* (install their equivalents)" >&2
    return 0
  fi
  local missing
  missing=$(missing_packages "$@")
  [[ -z $missing ]] && return 0
  if [[ $(id -u) != 0 ]]; then
    echo "setup: $what needs Debian packages that are missing: $missing" >&2
    echo "setup: install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends $missing" >&2
    echo "setup: (or run the same command again as root: it then installs them itself)" >&2
    return 1
  fi
  echo "setup: installing Debian packages $what needs: $missing (apt-get)" >&2
  apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}
