#!/usr/bin/env bash
# Soak (issue 21, item 6): the two-sided production-shaped mix at a fixed rate, replayed in real time by two sensors
# (client, server) -> three brokers -> two processors in one application id -> a sink writing jsonl.
# Measures each JVM's RSS and the processors' consumer lag every minute, and the latency from each finding's deciding
# packet (capture time, mapped to the wall clock by the sensor's replay start) to its alert's append on ww.alerts;
# checks that every finding the mix holds is found, once. deploy/faults/soak_report.py judges; figures: result.txt.
#   WW_FAULTS_INSTANCE=N WW_FAULTS_SHORT=0|1 deploy/faults/scenarios/soak.sh WORKDIR
# Full length: 30 min of load, about 35 min in all; WW_FAULTS_SHORT=1: 40 s of load, about 2.5 min in all.
set -uo pipefail
WORKDIR=$(mkdir -p "${1:?usage: soak.sh WORKDIR}" && cd "$1" && pwd)
export WORKDIR
N=${WW_FAULTS_INSTANCE:-0}
SHORT=${WW_FAULTS_SHORT:-0}
FAULTS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(cd "$FAULTS/../.." && pwd)
export WW_JAR=${WW_JAR:-$ROOT/app/target/wirewatch.jar}

# The load: packets per second of capture time per side, replayed at that pace (so also per second of wall time).
# 500/s a side is about 50 short TCP connections a second, about 170 Kafka records a second per sensor in control
# mode: a small server farm's edge. 1,000/s a side put the processors a minute behind on this 2-core machine shared
# with four other helpers (load average 25): the soak measures wirewatch, not the neighbours' builds.
# The short run (CI, within run.sh's 360 s with a ~50 s cluster start) checks the same things on less: 40 s at 300/s.
if [ "$SHORT" = 1 ]; then RATE=300 LOAD_SECONDS=40 SAMPLE_SECONDS=10 START_AHEAD=30 QUIET=10
else RATE=500 LOAD_SECONDS=1800 SAMPLE_SECONDS=60 START_AHEAD=45 QUIET=20; fi
# --rate paces the new flows; the mix's 300 idle sessions' keep-alive probes come on top: 900,000 packets at --rate
# 500 lasted 1,493 s (603/s), 40,000 lasted 89 s. Sized at RATE + 100 a second; result.txt says the real length.
PACKETS=$(((RATE + 100) * LOAD_SECONDS))
APP_ID=wwf${N}-soak
# Heaps: processors 512 MiB (the suite's most; brokers: lib/cluster.sh's), the sink small, the sensors as the
# launcher runs them in production (./wirewatch: a bounded heap, the serial collector).
PROCESSOR_OPTS="-Xmx512m"
SINK_OPTS="-Xmx192m"
SENSOR_OPTS="-Xms96m -Xmx224m -Xmn64m -XX:+UseSerialGC -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30
  -XX:MaxDirectMemorySize=32m -Xss512k -XX:ReservedCodeCacheSize=48m -XX:MaxMetaspaceSize=128m"

# shellcheck source=../lib/common.sh
source "$FAULTS/lib/common.sh" "$WORKDIR"
# shellcheck source=../lib/cluster.sh
source "$FAULTS/lib/cluster.sh"
SAMPLER=""
soak_cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null
  teardown
}
trap soak_cleanup EXIT
# compiled once: each run from source costs a compile, and the drain polls it every few seconds on a 2-core machine
probe() { java -Xmx128m -cp "$WW_JAR:$WORKDIR/probe" SoakProbe "$@"; }
log() { echo "soak: $(date -u +%T) $*" >&2; }
: >"$WORKDIR/result.txt"

javac -nowarn -cp "$WW_JAR" -d "$WORKDIR/probe" "$FAULTS/SoakProbe.java" || fail "cannot compile SoakProbe.java"
log "generating the mix: $PACKETS packets a side, --rate $RATE"
java -Xmx1g -jar "$WW_JAR" bench generate --profile mix --out "$WORKDIR/c.pcap" --server-out "$WORKDIR/s.pcap" \
  --topology-out "$WORKDIR/t.yaml" --packets "$PACKETS" --rate "$RATE" >"$WORKDIR/truth.txt" ||
  fail "bench generate failed"
CAPTURE_SECONDS=$(capinfos -u -M "$WORKDIR/c.pcap" | awk '/Capture duration/ {printf "%.0f", $3}')

BROKERS=${WW_SOAK_BROKERS:-3} # 1: one broker, for comparison
cluster_start "$BROKERS"
# Alerts carry their capture time as record time; the broker's append time says when each one arrived.
probe append-time "$BOOTSTRAP" ww.alerts || fail "cannot set ww.alerts to the broker's append time"

for i in 1 2; do
  start_bg "processor$i" java $PROCESSOR_OPTS -jar "$WW_JAR" processor --bootstrap-servers "$BOOTSTRAP" \
    --topology "$WORKDIR/t.yaml" --application-id "$APP_ID" --state-dir "$WORKDIR/state$i" \
    --instance-id "soak-$i" --http-port $((PORT_BASE + 20 + i))
done
start_bg sink java $SINK_OPTS -jar "$WW_JAR" sink --bootstrap-servers "$BOOTSTRAP" --from-start \
  --group-id "$APP_ID-sink" --to "jsonl:$WORKDIR/alerts.jsonl" --http-port $((PORT_BASE + 30))

# Every JVM of this run by name and pid (started by start_bg), sampled from /proc with its heap limit.
jvms() {
  local name pid
  for name in broker-1 broker-2 broker-3 processor1 processor2 sink sensor-client sensor-server; do
    pid=$(pid_of "$name") && kill -0 "$pid" 2>/dev/null && echo "$name $pid"
  done
}
sample() {
  local now name pid rss lag
  now=$(date +%s)
  while read -r name pid; do
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null) || continue
    [ -n "$rss" ] || continue
    # heap committed and old generation used (KiB, jstat -gc): RSS growth that is the heap being committed up to
    # its limit is no leak; old-generation use that only grows is
    echo "$now $name $pid $rss $(jstat -gc "$pid" 2>/dev/null | awk 'NR == 2 {printf "%.0f %.0f", $1 + $2 + $5 + $7, $8}')" \
      >>"$WORKDIR/rss.tsv"
    if ! grep -q "^$name $pid " "$WORKDIR/heap.tsv" 2>/dev/null; then
      echo "$name $pid $(jcmd "$pid" VM.flags 2>/dev/null | grep -o 'MaxHeapSize=[0-9]*' | head -1 | cut -d= -f2)" >>"$WORKDIR/heap.tsv"
    fi
  done < <(jvms)
  lag=$(kafka_tool "$BOOTSTRAP" lag "$APP_ID" | head -1)
  echo "$(date +%s) $lag" >>"$WORKDIR/lag.tsv"
}

for i in 1 2; do
  wait_for 180 grep -q -- "-> RUNNING" "$WORKDIR/processor$i.log" || fail "processor $i did not reach RUNNING"
done
wait_for 60 grep -q "as group" "$WORKDIR/sink.log" || fail "the sink did not start"
# The processors and the sink run first (20 s quiet, 70 s at load 40): the load measures them at work, not starting.
# Then both sides replay in step, as live sensors capture the same moment: one start, far enough ahead for the
# sensors to come up (11 s seen on a busy machine). A sensor that starts late replays its first seconds late; the flow
# stage waits for a sensor not heard yet (sensor-silence) and judges by ww.packets' own time, so that splits nothing.
LOAD_START=$(($(date +%s) + START_AHEAD))
log "load: two sensors replaying $LOAD_SECONDS s at $RATE packets/s each from $(date -u -d @$LOAD_START +%T); $BROKERS broker(s)"
for side in client server; do
  file=$([ $side = client ] && echo c.pcap || echo s.pcap)
  start_bg "sensor-$side" java $SENSOR_OPTS -jar "$WW_JAR" sensor --bootstrap-servers "$BOOTSTRAP" --host $side \
    --read "$WORKDIR/$file" --realtime --realtime-start "$(date -u -d @$LOAD_START +%Y-%m-%dT%H:%M:%SZ)" \
    --topology "$WORKDIR/t.yaml"
done
(
  trap 'exit 0' TERM
  sleep 5
  while true; do sample; sleep "$SAMPLE_SECONDS"; done
) &
SAMPLER=$!
sensors_done() { grep -q "replayed" "$WORKDIR/sensor-client.log" && grep -q "replayed" "$WORKDIR/sensor-server.log"; }
wait_for $((LOAD_SECONDS + 150)) sensors_done || fail "the sensors did not finish their replay in $((LOAD_SECONDS + 120)) s"
LOAD_END=$(date +%s)
log "replay done $((LOAD_END - LOAD_START)) s after its start; draining"

# Drained: the processors' lag is down to the transaction markers (one offset per partition and commit) and the
# sink wrote nothing for $QUIET s (closing windows, end-of-input timers, the sink's 5 s group wait).
kill "$SAMPLER" 2>/dev/null
SAMPLER=""
alerts_count() { cat "$WORKDIR/alerts.jsonl" 2>/dev/null | wc -l; }
DRAIN_LIMIT=$([ "$SHORT" = 1 ] && echo 45 || echo 300)
last_count=-1 quiet_since=$SECONDS
until { [ $((SECONDS - quiet_since)) -ge "$QUIET" ] && drained "$BOOTSTRAP" "$APP_ID"; } || [ $(($(date +%s) - LOAD_END)) -ge "$DRAIN_LIMIT" ]; do
  sleep 3
  count=$(alerts_count)
  [ "$count" != "$last_count" ] && last_count=$count quiet_since=$SECONDS
done
sample
result drain "$(($(date +%s) - LOAD_END)) s after the replay ended (limit $DRAIN_LIMIT s)"
drained "$BOOTSTRAP" "$APP_ID" || fail "the processors did not catch up within $DRAIN_LIMIT s of the replay's end: lag unbounded"
probe alerts "$BOOTSTRAP" "$WORKDIR/alerts.tsv" || fail "cannot read ww.alerts back"

result load "$PACKETS packets a side in $CAPTURE_SECONDS s of capture time ($((PACKETS / CAPTURE_SECONDS)) packets/s, bench generate --rate $RATE), two sides replayed in step from $(date -u -d @$LOAD_START +%T), done $((LOAD_END - LOAD_START)) s later"
result topology "2 sensors -> $BROKERS broker(s) -> 2 processors ($APP_ID) -> sink (jsonl)"
python3 "$FAULTS/soak_report.py" --work "$WORKDIR" --short "$SHORT" --load-start "$LOAD_START" --load-end "$LOAD_END" \
  >>"$WORKDIR/result.txt" 2>"$WORKDIR/report.err" || fail "$(head -1 "$WORKDIR/report.err")"
cat "$WORKDIR/result.txt" >&2
exit 0
