#!/usr/bin/env bash
# Re-records the two-sided sample captures of deploy/samples from real Linux kernels in network namespaces, one
# case after another (each folder's record.sh; deploy/lab/run.sh runs the same scripts with live sensors).
# Needs root, iproute2, iptables, nftables, tcpdump, iputils-arping, iputils-ping and python3.
# Usage: sudo deploy/samples/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for script in "$here"/*/record.sh; do
  echo "$(basename "$(dirname "$script")"): $(sed -n 2p "$script" | sed 's/^# Records seed case [0-9]* into this folder: //')"
  "$script"
done
