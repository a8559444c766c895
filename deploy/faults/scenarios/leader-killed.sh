#!/usr/bin/env bash
# Exactly once from sensor to processor: three brokers; two sensors replay the two-sided mix in real time while the
# leader of ww.packets-0 is killed with SIGKILL and restarted. The producer may re-send batches whose outcome it
# did not learn (an epoch bump); the processor drops them by their sequence headers. Passes when the processor's
# packet count of every TCP and UDP flow and vantage on ww.flows is tshark's count of the captures: none lost,
# none doubled; result.txt has the records sent, the duplicates dropped and the records lost (processor metrics).
set -uo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$FAULTS_LIB/cluster.sh"
trap teardown EXIT

# Short: 10,000 packets per side at 200/s (a 50 s replay) fits CI's 4 minutes on a loaded 2-core machine, where
# three brokers alone take ~90 s to start.
if [ "$SHORT" = 1 ]; then packets=10000 rate=200; else packets=200000 rate=1000; fi
app=wwf${N}-eos
metrics_port=$((PORT_BASE + 21))
begun=$SECONDS
# The captures are made while the brokers start.
start_bg generate java $WIREWATCH_JAVA_OPTS -jar "$WW_JAR" bench generate --profile mix --out "$WORK/c.pcap" \
  --server-out "$WORK/s.pcap" --topology-out "$WORK/t.yaml" --packets "$packets" --rate "$rate"
cluster_start 3
result cluster_start_s $((SECONDS - begun))
wait "$(pid_of generate)" || fail "bench generate failed: $(tail -1 "$WORK/generate.log")"
fields=(-T fields -E separator=';' -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e tcp.srcport -e udp.srcport
  -e tcp.dstport -e udp.dstport)
for side in c s; do
  tshark -n -r "$WORK/$side.pcap" -Y '(tcp or udp) and not icmp and not icmpv6' "${fields[@]}" >"$WORK/$side.tshark" 2>/dev/null \
    || fail "tshark cannot read $side.pcap"
done
result packets_in_captures "$(($(wc -l <"$WORK/c.tshark") + $(wc -l <"$WORK/s.tshark"))) (TCP and UDP, tshark)"

# shellcheck disable=SC2086
start_bg processor java $WIREWATCH_JAVA_OPTS -jar "$WW_JAR" processor --bootstrap-servers "$BOOTSTRAP" \
  --topology "$WORK/t.yaml" --application-id "$app" --state-dir "$WORK/processor-state" --http-port "$metrics_port"
# Asked before the sensors start (the lookup starts a JVM, slow on a busy machine): the kill must hit them mid-replay.
victim=$(cluster_leader ww.packets 0) || fail "cannot find the leader of ww.packets-0"
running() { grep -q -- '-> RUNNING' "$WORK/processor.log"; }
wait_for 120 running || fail "the processor did not reach RUNNING within 120 s"
metric() { curl -sf "http://127.0.0.1:$metrics_port/metrics" | awk -v m="$1" '$1 ~ "^"m"[{ ]" || $1 == m {s += $2} END {print s + 0}'; }
for host in client server; do
  # shellcheck disable=SC2086
  start_bg "sensor-$host" java $WIREWATCH_JAVA_OPTS -jar "$WW_JAR" sensor --bootstrap-servers "$BOOTSTRAP" \
    --read "$WORK/${host:0:1}.pcap" --realtime --host "$host"
done
replaying=$SECONDS
# Killed once the processor has the sensors' first records (their JVMs take a while to start under load).
reading() { [ "$(metric wirewatch_flows_tracked)" -gt 0 ]; }
wait_for 60 reading || fail "no sensor records reached the processor within 60 s"
sleep 5
kill -0 "$(pid_of sensor-client)" 2>/dev/null && kill -0 "$(pid_of sensor-server)" 2>/dev/null \
  || fail "the sensors had finished before the leader could be killed: no load across the fault"
cluster_kill "$victim"
result broker_killed "$victim (leader of ww.packets-0) at $((SECONDS - replaying)) s of the replay"
sleep 5
down=$SECONDS
# Relaunched under the sensors' load; its start is awaited only after the replay (it takes a minute on a busy
# machine, and the other two brokers serve meanwhile).
cluster_relaunch "$victim"
sent=0
for host in client server; do
  wait "$(pid_of "sensor-$host")" || fail "sensor $host failed: $(grep -v '^\s*at ' "$WORK/sensor-$host.log" | tail -1)"
  records=$(grep -o 'as [0-9,]* records' "$WORK/sensor-$host.log" | tr -dc 0-9)
  sent=$((sent + ${records:-0}))
done
result replay_s $((SECONDS - replaying))
result records_sent "$sent (sensor records, both sensors, ticks not counted)"
cluster_await_restart "$victim" 150
result broker_restart_s "$((SECONDS - down)) (relaunch until it serves again)"

partitions=$(kafka_tool "$BOOTSTRAP" describe ww.packets | grep -o 'partitions=[0-9]*' | cut -d= -f2)
judged() { [ "$(kafka_tool "$BOOTSTRAP" keys "$app-progress" | sort -u | wc -l)" -ge "$partitions" ]; }
wait_for 180 judged || fail "the processor did not judge the end of the input within 180 s"
duplicates=$(metric wirewatch_input_duplicates_total)
lost=$(metric wirewatch_input_lost_total)
result duplicates_dropped "$duplicates (wirewatch_input_duplicates_total)"
result records_lost "$lost (wirewatch_input_lost_total)"
compared=$(java -Xmx256m -cp "$WW_JAR" "$FAULTS_LIB/FlowCounts.java" "$BOOTSTRAP" ww.flows "client=$WORK/c.tshark" \
  "server=$WORK/s.tshark" 2>"$WORK/flow-differences.txt")
ok=$?
result flows "$compared"
[ $ok = 0 ] || fail "packet counts per flow differ from tshark's: $compared; e.g. $(head -1 "$WORK/flow-differences.txt")"
[ "$lost" = 0 ] || fail "$lost records never reached Kafka"
exit 0
