#!/usr/bin/env bash
# The network lab: every seed case reproduced on real kernels in network namespaces, watched by live wirewatch
# sensors inside the namespaces, judged by a processor, with the findings checked against what each case must
# (and must not) produce. Usage: sudo deploy/lab/run.sh [--keep DIR] [--refresh-samples] [SCENARIO ...]
#   SCENARIO       one of the names below (default: all)
#   --keep DIR     keep logs, captures and alerts in DIR (default: a temporary directory, deleted when all
#                  pass without a warning)
#   --refresh-samples  copy the captures of passing scenarios over deploy/samples (the demo then shows them)
# Prints "PASS name" or "FAIL name: why" per scenario and exits 0 only if all pass. Needs root, iproute2, iptables,
# nftables, tcpdump, iputils-arping, iputils-ping, keepalived, python3 and Java; builds the jar if needed.
set -uo pipefail
lab=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$lab/../.." && pwd)
samples=$repo/deploy/samples

# name | recording script | topology | expectations (deploy/lab/expect.py; ';' separates lines; @baseline: the lines
# of the sample's expected.txt, the case's one baseline, which the Java tests also read) [| settle seconds:
# how long to keep watching for what must not appear once the rest is met; default 5 [| VAR=value ... for the
# script, e.g. WW_LAB_CAPTURE_server=any: that host's sensor captures `any` instead of what the recording captures]]
scenarios=(
  "firewall-drop|$samples/01-firewall-drop/record.sh|$samples/01-firewall-drop/topology.yaml|@baseline;UNANSWERED_SYN cause=DROPPED_AT_SERVER_HOST server=198.51.100.20:8080 @DROP_REASON@"
  "wrong-interface|$samples/02-wrong-interface/record.sh|$samples/02-wrong-interface/topology.yaml|@baseline"
  "wrong-interface-fixed|$samples/02-wrong-interface/record.sh|$samples/02-wrong-interface/topology.yaml|!SENSOR_COVERAGE_GAP|20|WW_LAB_CAPTURE_server=any"
  "port-moved|$samples/03-port-moved/record.sh|$samples/03-port-moved/topology.yaml|@baseline"
  "paws-nat|$samples/04-paws-behind-nat/record.sh|$samples/04-paws-behind-nat/topology.yaml|@baseline"
  "dual-nic|$samples/05-dual-nic-no-route/record.sh|$samples/05-dual-nic-no-route/topology.yaml|@baseline"
  "idle-drop|$samples/06-idle-session-dropped/record.sh|$samples/06-idle-session-dropped/topology.yaml|@baseline"
  "failover|$samples/07-failover-announcement-blocked/record.sh|$samples/07-failover-announcement-blocked/topology.yaml|@baseline"
  "failover-ipv6|$samples/09-failover-ipv6-announcement-blocked/record.sh|$samples/09-failover-ipv6-announcement-blocked/topology.yaml|@baseline"
  "failover-ipv6-announced|$samples/09-failover-ipv6-announcement-blocked/record.sh|$samples/09-failover-ipv6-announcement-blocked/topology.yaml|ARP_IP_MOVED ip=2001:db8:7::100 mac_before=02:00:00:00:09:01 mac_after=02:00:00:00:09:02 protocol=ND;!ARP_CONFLICT;!ANNOUNCEMENT_NOT_PROPAGATED;!severity>=warning except=ARP_IP_MOVED|5|WW9_BLOCK=0"
  "redirect-ignored|$samples/08-redirect-ignored/record.sh|$samples/08-redirect-ignored/topology.yaml|@baseline"
  "redirect-ignored-ipv6|$samples/11-redirect-ignored-ipv6/record.sh|$samples/11-redirect-ignored-ipv6/topology.yaml|@baseline"
  "redirect-followed-ipv6|$samples/11-redirect-ignored-ipv6/record.sh|$samples/11-redirect-ignored-ipv6/topology.yaml|!ICMP_REDIRECT_IGNORED;!severity>=warning|20|WW_HOST_ACCEPTS_REDIRECTS=1"
  "vrrp-blocked|$samples/10-vrrp-advertisements-blocked/record.sh|$samples/10-vrrp-advertisements-blocked/topology.yaml|@baseline"
  "vrrp-failover|$samples/10-vrrp-advertisements-blocked/record.sh|$samples/10-vrrp-advertisements-blocked/topology.yaml|ARP_IP_MOVED ip=192.0.2.100 mac_before=02:00:00:00:10:01 mac_after=02:00:00:00:10:02;!VRRP_SPLIT_BRAIN;!ANNOUNCEMENT_NOT_PROPAGATED;!severity>=warning except=ARP_IP_MOVED|10|WW_VRRP_FAULT=none"
  "healthy|$lab/healthy.sh|$lab/healthy.yaml|!severity>=warning|30"
)

keep=""
refresh=false
instance=0
wanted=()
while [ $# -gt 0 ]; do
  case $1 in
    --keep) keep=$2; shift 2 ;;
    --refresh-samples) refresh=true; shift ;;
    --instance) instance=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) wanted+=("$1"); shift ;;
  esac
done
known=$(printf '%s\n' "${scenarios[@]}" | cut -d'|' -f1)
for name in "${wanted[@]}"; do
  grep -qx "$name" <<<"$known" || { echo "run.sh: unknown scenario '$name'; known: $(echo $known)" >&2; exit 2; }
done
[[ $instance =~ ^[0-9]$ ]] || { echo "run.sh: --instance must be 0-9, not '$instance'" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (network namespaces)" >&2; exit 2; }

work=${keep:-$(mktemp -d /tmp/wirewatch-lab-XXXXXX)}
mkdir -p "$work"
# The management network: 198.18.0.0/15 is outside every internal prefix the detectors know.
export WW_LAB_HOME=$lab WW_LAB_WORK=$work WW_LAB_BRIDGE=wwlab$instance WW_LAB_ALERTS=$work/alerts.jsonl
export WW_LAB_SUBNET=198.18.$instance WW_LAB_LINKS=wwl${instance}m
export WW_LAB_BOOTSTRAP=$WW_LAB_SUBNET.1:$((19092 + instance)) WW_LAB_JAR=$repo/app/target/wirewatch.jar
# Time bound per scenario: the slowest finding (ICMP_REDIRECT_IGNORED) is judged when the ping flow goes idle (60 s),
# which takes 60-70 s here; the rest is slack for a busy CI machine (a passing scenario never waits for it).
export WW_LAB_TIMEOUT=${WW_LAB_TIMEOUT:-150}
pids=()

processor=""
stop_processor() {
  if [ -n "$processor" ]; then kill "$processor" 2>/dev/null; wait "$processor" 2>/dev/null; processor=""; fi
}
teardown() {
  # A processor stops while the broker still answers: without it, its shutdown waits on the broker for a minute.
  stop_processor
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  ip link del "$WW_LAB_BRIDGE" 2>/dev/null || true
  for link in $(ip -o link show | grep -o "$WW_LAB_LINKS[0-9]*" | sort -u); do ip link del "$link" 2>/dev/null || true; done
}
scenario_pid=""
# A scenario runs in the background, so that a signal reaches this trap at once (bash runs traps only between
# commands) and the scenario's own trap tears its namespaces down before the broker goes.
interrupted() {
  echo "run.sh: interrupted" >&2
  if [ -n "$scenario_pid" ]; then kill -TERM "$scenario_pid" 2>/dev/null; wait "$scenario_pid" 2>/dev/null; fi
  exit 130
}
trap teardown EXIT
trap interrupted INT TERM

started() { # LOG PATTERN SECONDS
  for _ in $(seq 1 $(($3 * 2))); do
    grep -q -e "$2" "$1" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "run.sh: not started within $3 s: $1: $(tail -3 "$1")" >&2
  return 1
}

"$repo/wirewatch" --version >/dev/null || { echo "run.sh: cannot build wirewatch" >&2; exit 1; }
java=(java -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.wirewatch.record -jar "$WW_LAB_JAR")

teardown
# A fixed MAC: a bridge without one takes its lowest port's and changes it when that port goes (a namespace deleted),
# and every sensor still attached then sends to a stale ARP entry for the broker and gets no acks for ~50 s (issue 21).
bridge_mac=02:77:6c:61:62:0$instance
ip link add "$WW_LAB_BRIDGE" address "$bridge_mac" type bridge
ip addr add "$WW_LAB_SUBNET.1/24" dev "$WW_LAB_BRIDGE"
ip link set "$WW_LAB_BRIDGE" up
"${java[@]}" broker --listen "$WW_LAB_SUBNET.1" --port "${WW_LAB_BOOTSTRAP##*:}" --data "$work/kafka" >"$work/broker.log" 2>&1 & pids+=($!)
started "$work/broker.log" "serving on" 60 || exit 1
touch "$WW_LAB_ALERTS"
"${java[@]}" sink --bootstrap-servers "$WW_LAB_BOOTSTRAP" --to "jsonl:$WW_LAB_ALERTS" --group-wait 0 --resolve-after 0 \
  --group-id "lab-$$" --from-start >"$work/sink.log" 2>&1 & pids+=($!)
started "$work/sink.log" "reading 3 partition" 60 || exit 1

drop_reason=""
if [ -d /sys/kernel/tracing/events/skb ] || [ -d /sys/kernel/debug/tracing/events/skb ] \
   || { mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null && [ -d /sys/kernel/tracing/events/skb ]; }; then
  drop_reason="drop_reason=NETFILTER_DROP"
fi

failed=0
warned=0
for entry in "${scenarios[@]}"; do
  IFS='|' read -r name script topology expect settle variables <<<"$entry"
  if [ ${#wanted[@]} -gt 0 ] && ! printf '%s\n' "${wanted[@]}" | grep -qx "$name"; then
    continue
  fi
  dir=$work/$name
  mkdir -p "$dir"
  started_at=$(date +%s)
  sensor_args=""
  if [ "$name" = firewall-drop ] && [ -n "$drop_reason" ]; then sensor_args="--drop-reasons"; fi
  "${java[@]}" processor --bootstrap-servers "$WW_LAB_BOOTSTRAP" --topology "$topology" \
    --config "$lab/config.yaml" \
    --application-id "lab-$name-$$" --from-now --state-dir "$dir/state" >"$dir/processor.log" 2>&1 &
  processor=$!
  if started "$dir/processor.log" "-> RUNNING" 90; then
    expectations=$(sed "s/@DROP_REASON@/${sensor_args:+$drop_reason}/; s/;/\n/g" <<<"$expect" \
      | sed "/^@baseline$/{r $(dirname "$script")/expected.txt
d}")
    # shellcheck disable=SC2086  # $variables is a list of assignments
    env ${variables:-} WW_CAPTURE_DIR="$dir" WW_LAB_TOPOLOGY="$topology" WW_LAB_SENSOR_ARGS="$sensor_args" \
      WW_LAB_SETTLE="${settle:-5}" WW_LAB_EXPECT="$expectations" "$script" >"$dir/script.log" 2>&1 &
    scenario_pid=$!
    wait "$scenario_pid"
    scenario_pid=""
  fi
  stop_processor
  verdict=$(cat "$dir/result" 2>/dev/null || echo "FAIL: did not run to its judgement; see $dir/script.log: $(tail -2 "$dir/script.log" | tr '\n' ' ')")
  mac=$(cat "/sys/class/net/$WW_LAB_BRIDGE/address")
  [ "$mac" = "$bridge_mac" ] || verdict="FAIL: the lab bridge's MAC changed from $bridge_mac to $mac (sensors' ARP entries for the broker went stale)"
  if [ "$verdict" = PASS ]; then
    echo "PASS $name ($(( $(date +%s) - started_at )) s)"
    # A sensor whose records Kafka stopped acknowledging makes a "must not alert" verdict weaker: say so.
    stalled=$(grep -l "has not acknowledged" "$dir"/sensor-*.log 2>/dev/null | sed 's|.*/sensor-||; s|\.log$||' | tr '\n' ' ')
    if [ -n "$stalled" ]; then
      echo "  warning: Kafka stopped acknowledging the records of sensor(s) ${stalled}for a while; see $dir"
      warned=1
    fi
    if $refresh && [ -f "$script" ] && [[ $script == "$samples"/* ]]; then cp "$dir"/*.pcap "$(dirname "$script")/"; fi
  else
    echo "FAIL $name: ${verdict#FAIL: }"
    failed=1
  fi
done
if [ $failed = 0 ] && [ $warned = 0 ] && [ -z "$keep" ]; then rm -rf "$work"; else echo "lab: logs, captures and alerts in $work"; fi
exit $failed
