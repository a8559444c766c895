#!/usr/bin/env bash
# BENCHMARKS.md, "Growth on the mix": analyze on mix captures of 0.1, 1 and 10 M packets, each against tshark's
# conversation table on the same file in the same run. Usage: deploy/bench/mix-growth.sh [PACKETS ...]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jar="$root/app/target/wirewatch.jar"
[ -f "$jar" ] || { echo "build first: ./wirewatch --version" >&2; exit 2; }
work=$(mktemp -d /tmp/wirewatch-growth-XXXXXX)
trap 'rm -rf "$work"' EXIT
for n in "${@:-100000 1000000 10000000}"; do
  for packets in $n; do
    capture="$work/mix-$packets.pcap"
    java -jar "$jar" bench generate --out "$capture" --packets "$packets" > /dev/null
    start=$(date +%s.%N)
    tshark -r "$capture" -q -z conv,tcp > /dev/null 2>&1
    tshark_s=$(echo "$(date +%s.%N) - $start" | bc)
    /usr/bin/time -v java -Xmx2g -jar "$jar" analyze --pcap "bench@eth0=$capture" --format jsonl \
      > "$work/alerts" 2> "$work/log"
    wall=$(awk '/Elapsed \(wall/ {print $8}' "$work/log")
    rss=$(awk '/Maximum resident/ {print $6}' "$work/log")
    echo "$packets packets: analyze $wall (max RSS $rss kB, $(wc -l < "$work/alerts") alerts); tshark ${tshark_s} s"
    rm -f "$capture"
  done
done
