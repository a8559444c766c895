#!/usr/bin/env bash
# Installs what `mvn -B verify` and the lab need on a fresh Debian or Ubuntu machine: only the packages that are
# missing, without prompts. Run as root (or it re-runs itself with sudo). Nothing to do: exits 0 at once.
set -euo pipefail

packages=(
  openjdk-17-jdk-headless maven   # build
  libpcap0.8                      # live capture through libpcap (tests that capture live)
  tshark tcpdump                  # conformance: tshark's decode (editcap comes with it), tcpdump beside the ring
  iproute2 iptables nftables      # network namespaces, veths, firewall rules (live tests, the lab)
  iputils-arping iputils-ping     # the lab's traffic
  keepalived ndisc6               # the lab's VRRP pair; IPv6 neighbour discovery by hand
  python3-scapy                   # deploy/samples/*/record.sh crafts packets with it
  prometheus-alertmanager         # the sink's Alertmanager output against the real thing
  prometheus                      # promtool: the alerting rules' unit tests (deploy/prometheus)
  systemd adduser                 # the Debian package's test: systemd-analyze checks its units; its postinst
  chromium nodejs npm             # the console's browser tests (headless Chromium driven by playwright-core from npm)
)

missing=()
for p in "${packages[@]}"; do
  # node and npm from elsewhere (NodeSource's nodejs bundles npm and conflicts with Debian's npm) serve as well
  case "$p" in nodejs|npm) command -v "${p/nodejs/node}" >/dev/null 2>&1 && continue ;; esac
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${1:-}" = --missing ]; then
  # For .ci/run's check after the install: the packages still missing, one per line.
  printf '%s\n' "${missing[@]}" | grep . || true
  exit 0
fi
# The kernel-drop tests read the trace events' formats: tracefs must be mounted (a fresh boot may not have it; the
# sensor mounts it itself when --drop-reasons needs it).
if [ "$(id -u)" = 0 ] && [ ! -d /sys/kernel/tracing/events ] && [ ! -d /sys/kernel/debug/tracing/events ]; then
  mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || echo "test-deps: could not mount tracefs" >&2
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "test-deps: missing ${missing[*]}; installing them needs root and there is no sudo here:" >&2
    echo "test-deps: run it as root (su -c $0), then run the tests as root too" >&2
    exit 1
  fi
  exec sudo "$0" "$@"
fi
echo "test-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq "${missing[@]}"
