#!/usr/bin/env bash
# Network faults between a sensor and Kafka (issue 21, item 4). Two hosts in namespaces, client and server, talk on a
# data link (eth0) that their live sensors capture; each reaches the broker by a separate management link (mgmt0) to
# the bridge, so the server's Kafka path can fail while its captured path does not. Phases on the server's
# management link: baseline, then `tc netem delay 200ms 50ms loss 5%`, then a 60 s partition (nftables drop of its
# Kafka traffic), then healed. tcpdump beside the server's sensor is the independent count of what crossed eth0.
# Checks: the sensor captures throughout, queues within --queue-bytes without drops, says it is degraded (/health 503,
# ww.sensors) while cut off and healthy after; everything reaches Kafka (the processor's ww.flows packet counts from
# the server's vantage equal tcpdump's); the processor reports the server silent (SENSOR_DEGRADED SILENT) and no
# UNANSWERED_SYN blames the server for packets it could not ship (never LOST_BEFORE_SERVER; the firewalled port's
# SYNs end as DROPPED_AT_SERVER_HOST once its records arrive).
# Usage (see deploy/faults/run.sh): WW_FAULTS_INSTANCE=N WW_FAULTS_SHORT=0|1 link-faults.sh WORKDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/common.sh
. "$here/../lib/common.sh" "${1:?usage: link-faults.sh WORKDIR}"
trap teardown EXIT
trap "exit 143" TERM
trap "exit 130" INT
work=$WORK short=$SHORT

# --- names, addresses and ports of instance N -------------------------------------------------------------------
base=$PORT_BASE
port_broker=$((base + 1)) port_delay=$((base + 50)) http_client=$((base + 20)) http_server=$((base + 21)) http_processor=$((base + 22))
net=198.19.$N
cns=wwf${N}c sns=wwf${N}s bridge=wwf${N}br
client_ip=$net.10 server_ip=$net.20 broker_ip=$net.129
bootstrap=$broker_ip:$port_broker
# 32 MiB: the cut's backlog is ~100 KB. WW_LINKFAULTS_TINY=1: 32 KiB, too small, so drops are counted and reported
if [ "${WW_LINKFAULTS_TINY:-0}" = 1 ]; then queue_bytes=32768 tiny=--tiny; else queue_bytes=33554432 tiny=""; fi
if [ "$short" = 1 ]; then baseline=15 netem_for=30 drain=10 settle=25; else baseline=30 netem_for=120 drain=60 settle=45; fi
partition_for=60 # the issue's figure, also in short mode
# shellcheck disable=SC2086  # the options are a list
java_=(java ${WIREWATCH_JAVA_OPTS} -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.wirewatch.record)

# --- hosts, links, broker ----------------------------------------------------------------------------------------
cleanup_net() {
  ip netns del "$cns" 2>/dev/null; ip netns del "$sns" 2>/dev/null; ip link del "$bridge" 2>/dev/null
  return 0
}
on_teardown cleanup_net
cleanup_net
ip link add "$bridge" type bridge && ip addr add "$broker_ip/25" dev "$bridge" && ip link set "$bridge" up \
  || fail "cannot create bridge $bridge"
for side in c s; do
  ns=wwf$N$side
  ip netns add "$ns" && ip -n "$ns" link set lo up || fail "cannot create namespace $ns"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip link add "wwf$N${side}m" type veth peer name mgmt0 netns "$ns"
  ip link set "wwf$N${side}m" master "$bridge" up
  ip -n "$ns" addr add "$net.$([ $side = c ] && echo 130 || echo 131)/25" dev mgmt0
  ip -n "$ns" link set mgmt0 up
done
ip link add "wwf${N}cd" type veth peer name "wwf${N}sd"
ip link set "wwf${N}cd" netns "$cns"; ip link set "wwf${N}sd" netns "$sns"
ip -n "$cns" link set "wwf${N}cd" name eth0; ip -n "$sns" link set "wwf${N}sd" name eth0
ip -n "$cns" addr add "$client_ip/26" dev eth0; ip -n "$sns" addr add "$server_ip/26" dev eth0
ip -n "$cns" link set eth0 up; ip -n "$sns" link set eth0 up
# The server's host firewall drops port 8082 (the finding to make); 8081 has no listener (refused).
ip netns exec "$sns" nft -f - <<EOF || fail "cannot set the server's firewall"
table inet host {
  chain input { type filter hook input priority 0; tcp dport 8082 drop; }
}
EOF

cat > "$work/topology.yaml" <<EOF
hosts:
  client:
    interfaces:
      eth0: {addresses: [$client_ip/26]}
    capture: [eth0]
  server:
    interfaces:
      eth0: {addresses: [$server_ip/26]}
    capture: [eth0]
EOF

# --- the server's Kafka path: tc netem where the kernel has it; else (this CI VM has no sch_netem) its connections
# to the broker go through a userspace delay line, with the kernel dropping 5 % of its egress (nftables numgen)
if ip netns exec "$sns" tc qdisc add dev mgmt0 root netem delay 1ms 2>/dev/null; then
  ip netns exec "$sns" tc qdisc del dev mgmt0 root
  phase1_how="tc netem delay 200ms 50ms loss 5%"
else
  phase1_how="delay line 200ms +-50ms (no sch_netem in this kernel) + nftables numgen loss 5%"
  start_bg delay-proxy ip netns exec "$sns" python3 "$here/link-faults.d/delay-proxy.py" "$port_delay" "$broker_ip" \
    "$port_broker" 0x29 "$work/delay-on"
  ip netns exec "$sns" nft -f - <<EOF || fail "cannot redirect the server's Kafka path to the delay line"
table ip wwdelay {
  chain out { type nat hook output priority -100; meta mark != 0x29 ip daddr $broker_ip tcp dport $port_broker redirect to :$port_delay; }
}
EOF
  wait_for 10 ip netns exec "$sns" bash -c "echo > /dev/tcp/127.0.0.1/$port_delay" 2>/dev/null || fail "the delay line did not start"
fi
result "phase 1 fault" "$phase1_how"

start_bg broker "${java_[@]}" -jar "$WW_JAR" broker --listen "$broker_ip" --port "$port_broker" --data "$work/kafka"
wait_for 180 grep -q "serving on" "$work/broker.log" || fail "broker did not start: $(tail -1 "$work/broker.log")"
start_bg sink "${java_[@]}" -jar "$WW_JAR" sink --bootstrap-servers "$bootstrap" --to "jsonl:$work/alerts.jsonl" \
  --group-wait 0 --resolve-after 0 --group-id "linkfaults-sink-$$" --from-start
start_bg processor "${java_[@]}" -jar "$WW_JAR" processor --bootstrap-servers "$bootstrap" --topology "$work/topology.yaml" \
  --application-id "linkfaults-$$" --state-dir "$work/state" --http-port "$http_processor"
# --- capture: tcpdump beside each sensor ---------------------------------------------------------------------------
start_bg tcpdump ip netns exec "$sns" tcpdump -i eth0 -n -U -w "$work/server-eth0.pcap"
for side in client server; do
  ns=$([ $side = client ] && echo "$cns" || echo "$sns")
  port=$([ $side = client ] && echo "$http_client" || echo "$http_server")
  start_bg "sensor-$side" ip netns exec "$ns" "${java_[@]}" -jar "$WW_JAR" sensor --bootstrap-servers "$bootstrap" \
    --host "$side" --interface eth0 --topology "$work/topology.yaml" --http-port "$port" --queue-bytes "$queue_bytes"
done
# all of them start at once (each waits for Kafka itself): a loaded machine takes long enough for each JVM
wait_for 180 grep -q -- "-> RUNNING" "$work/processor.log" || fail "processor did not start: $(tail -1 "$work/processor.log")"
for side in client server; do
  wait_for 60 grep -q "capturing" "$work/sensor-$side.log" || fail "sensor $side did not start: $(tail -1 "$work/sensor-$side.log")"
done

# The server sensor's /health and /metrics, once a second, as `epoch code captured queue_bytes queue_records
# queue_dropped emitted inflight`, and the /health body when not 200.
watch_server() {
  local code metrics
  while :; do
    code=$(ip netns exec "$sns" curl -s -o "$work/health.body" -w '%{http_code}' "http://127.0.0.1:$http_server/health")
    metrics=$(ip netns exec "$sns" curl -s "http://127.0.0.1:$http_server/metrics")
    echo "$(date +%s) $code $(awk '
      /^wirewatch_sensor_packets_captured_total /{c=$2} /^wirewatch_sensor_queue_bytes /{b=$2}
      /^wirewatch_sensor_queue_records /{r=$2} /^wirewatch_sensor_queue_dropped_total /{d=$2}
      /^wirewatch_sensor_records_emitted_total /{e=$2} /^wirewatch_sensor_producer_inflight /{i=$2}
      END{printf "%d %d %d %d %d %d", c, b, r, d, e, i}' <<<"$metrics")"
    [ "$code" = 200 ] || echo "#body $(date +%s) $(cat "$work/health.body")"
    sleep 1
  done >>"$work/server-watch.log"
}
start_bg watch watch_server

# --- traffic: bounded, in the client ------------------------------------------------------------------------------
start_bg service ip netns exec "$sns" python3 "$here/link-faults.d/traffic.py" serve 8080
sleep 0.5
start_bg traffic ip netns exec "$cns" python3 "$here/link-faults.d/traffic.py" client "$server_ip"
start_bg ping ip netns exec "$cns" ping -q -i 0.5 "$server_ip"

# --- phases on the server's management link -------------------------------------------------------------------------
phase() { echo "$1 $(date +%s)" >>"$work/phases"; }
phase baseline; sleep "$baseline"
phase netem
if [ -z "${phase1_how##tc netem*}" ]; then
  ip netns exec "$sns" tc qdisc add dev mgmt0 root netem delay 200ms 50ms loss 5% || fail "tc netem failed"
  sleep "$netem_for"
  ip netns exec "$sns" tc qdisc del dev mgmt0 root
else
  touch "$work/delay-on"
  ip netns exec "$sns" nft -f - <<EOF || fail "cannot add the 5 % loss"
table inet wwloss {
  chain out { type filter hook output priority 0; oifname "mgmt0" ip daddr $broker_ip tcp dport $port_broker numgen random mod 100 < 5 drop; }
}
EOF
  sleep "$netem_for"
  ip netns exec "$sns" nft delete table inet wwloss
  rm -f "$work/delay-on"
fi
phase partition
ip netns exec "$sns" nft -f - <<EOF || fail "cannot partition"
table inet wwkafka {
  chain out { type filter hook output priority 0; oifname "mgmt0" ip daddr $broker_ip tcp dport $port_broker drop; }
  chain in { type filter hook input priority 0; iifname "mgmt0" ip saddr $broker_ip tcp sport $port_broker drop; }
  chain delayline { type filter hook output priority 0; tcp dport $port_delay drop; tcp sport $port_delay drop; }
}
EOF
sleep "$partition_for"
ip netns exec "$sns" nft delete table inet wwkafka
phase healed
# Drain: the backlog reaches Kafka; then traffic stops and the flows still open expire into ww.flows.
wait_for 120 awk -v t="$(date +%s)" '$1 > t && $2 == 200 && $5 == 0 && $8 == 0 {ok=1} END{exit !ok}' "$work/server-watch.log" \
  || fail "the server's sensor did not deliver its backlog within 120 s of the heal: $(tail -1 "$work/server-watch.log")"
phase recovered
sleep "$drain"
stop_bg traffic
phase stopped
# Flows finish in ww.flows once idle; the SYN timeouts and idle expiry take well under a minute here.
sleep "$settle"
phase settled
stop_bg tcpdump INT
# The server's sensor stops (SIGTERM: it sends what it holds) and says what it emitted; then Kafka is read.
stop_bg sensor-server

# --- verdict ---------------------------------------------------------------------------------------------------------
java -cp "$WW_JAR" -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.wirewatch.record \
  "$here/link-faults.d/TopicDump.java" "$bootstrap" ww.flows ww.sensors ww.packets ww.l2 >"$work/topics.jsonl" 2>"$work/topicdump.log" \
  || fail "cannot read ww.flows: $(tail -1 "$work/topicdump.log")"
python3 "$here/link-faults.d/verify.py" --work "$work" --queue-bytes "$queue_bytes" --server-ip "$server_ip" $tiny \
  >>"$work/result.txt" 2>"$work/verify.log" || fail "$(tail -1 "$work/verify.log")"
