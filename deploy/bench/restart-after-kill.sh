#!/usr/bin/env bash
# Time from a processor's restart after kill -9 to RUNNING (BENCHMARKS.md, issue 18).
# usage: deploy/bench/restart-after-kill.sh JAR PORT LABEL [processor args...]
# Starts `wirewatch broker` on 127.0.0.1:PORT and a processor, waits for RUNNING, kills it with SIGKILL, starts it
# again with the same state directory and prints the seconds to REBALANCING and to RUNNING. Work files in /tmp/ww-restart-LABEL.
set -u
jar=$1; port=$2; label=$3; shift 3
dir=/tmp/ww-restart-$label; rm -rf "$dir"; mkdir -p "$dir"
now() { date +%s.%N | cut -c1-14; }
stamp() { while IFS= read -r line; do echo "$(now) $line"; done; }
java -jar "$jar" broker --listen 127.0.0.1 --port "$port" > "$dir/broker.log" 2>&1 &
broker=$!
sleep 10
start() { (java -jar "$jar" processor --bootstrap-servers "127.0.0.1:$port" --state-dir "$dir/state" \
    --application-id restart "$@" 2>&1 | stamp > "$dir/$log") & }
awaitRunning() { for _ in $(seq 1 400); do grep -q "> RUNNING" "$dir/$log" && return; sleep 0.5; done; }
log=first.log; start "$@"; awaitRunning
sleep 5
kill -9 "$(pgrep -f "$dir/state --application-id restart")"; sleep 0.2
restarted=$(now)
log=second.log; start "$@"; awaitRunning
rebalancing=$(grep "CREATED -> REBALANCING" "$dir/second.log" | head -1 | cut -d' ' -f1)
running=$(grep "> RUNNING" "$dir/second.log" | head -1 | cut -d' ' -f1)
echo "$label: restart to REBALANCING $(echo "$rebalancing - $restarted" | bc) s, to RUNNING" \
    "$(echo "$running - $restarted" | bc) s (load $(cut -d' ' -f1 /proc/loadavg))"
kill "$(pgrep -f "$dir/state --application-id restart")" "$broker"
