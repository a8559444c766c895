#!/usr/bin/env bash
# Issue 21, item 2: processors scale out. The two-sided mix flows in real time through two sensors into a cluster of
# three brokers; two processor instances share one application id; during the flow one is SIGKILLed and started
# again (same state directory and instance id), later a third joins. Afterwards `wirewatch replay` judges the same
# ww.packets/ww.l2/ww.sensors (copied partition for partition, in order) with one processor of a fresh application
# id into its own alert topic: its alerts are the reference. The multi-instance run's alerts on ww.alerts must equal
# it by id and revision (each finding's latest revision): none missing, none extra, none refined twice.
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
source "$here/../lib/cluster.sh"
trap teardown EXIT
# capture seconds = packets / rate
packets=360000 rate=2000
[ "$SHORT" = 1 ] && packets=100000 rate=1250
seconds=$((packets / rate))

cluster_start 3
wirewatch bench generate --profile mix --out "$WORK/c.pcap" --server-out "$WORK/s.pcap" \
    --topology-out "$WORK/t.yaml" --packets $packets --rate $rate > "$WORK/generate.log" 2>&1 \
    || fail "bench generate failed: $(tail -1 "$WORK/generate.log")"
client_host=client # the topology names only the server side; both runs judge the same unknown client host

processor() { # NAME: one instance of application wwf-failover, state and static id of its own
    start_bg "$1" java $WIREWATCH_JAVA_OPTS -jar "$WW_JAR" processor --bootstrap-servers "$BOOTSTRAP" --topology "$WORK/t.yaml" \
        --application-id wwf-failover --state-dir "$WORK/state-$1" --instance-id "wwf-$1"
}
processor p1
processor p2
wait_for 180 grep -q "REBALANCING -> RUNNING" "$WORK/p1.log" || fail "processor p1 never ran"
wait_for 180 grep -q "REBALANCING -> RUNNING" "$WORK/p2.log" || fail "processor p2 never ran"
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
start_bg sensor_client java $WIREWATCH_JAVA_OPTS -jar "$WW_JAR" sensor --bootstrap-servers "$BOOTSTRAP" --host "$client_host" \
    --read "$WORK/c.pcap" --realtime
start_bg sensor_server java $WIREWATCH_JAVA_OPTS -jar "$WW_JAR" sensor --bootstrap-servers "$BOOTSTRAP" --host server \
    --read "$WORK/s.pcap" --realtime

sleep $((seconds / 3))
stop_bg p1 KILL; kills=1
sleep 5
processor p1 # the same state directory and instance id: it takes its tasks back
sleep $((seconds / 3))
processor p3 # joins: the group rebalances onto three
wait "$(pid_of sensor_client)" "$(pid_of sensor_server)" 2>/dev/null
# Done when ww.alerts stopped changing for 30 s after both sensors finished (their last tick ends the input).
stable() {
    wirewatch alerts --bootstrap-servers "$BOOTSTRAP" --format jsonl > "$WORK/alerts.now" 2> "$WORK/alerts.err" || return 1
    if [ -s "$WORK/alerts.now" ] && cmp -s "$WORK/alerts.now" "$WORK/alerts.jsonl"; then return 0; fi
    mv "$WORK/alerts.now" "$WORK/alerts.jsonl"; sleep 30; return 1
}
wait_for 600 stable || fail "ww.alerts still changing 10 min after the sensors finished"
for p in p1 p2 p3; do stop_bg $p; done

wirewatch replay --bootstrap-servers "$BOOTSTRAP" --from 2000-01-01 --topology "$WORK/t.yaml" --format jsonl \
    --out "$WORK/reference.jsonl" > "$WORK/replay.log" 2>&1 || fail "the reference replay failed: $(tail -1 "$WORK/replay.log")"

python3 - "$WORK/alerts.jsonl" "$WORK/reference.jsonl" > "$WORK/compare.txt" <<'PY'
import json, sys
def load(path):
    return {a["id"]: a for a in (json.loads(l) for l in open(path) if l.strip())}
run, ref = load(sys.argv[1]), load(sys.argv[2])
missing = sorted(set(ref) - set(run)); extra = sorted(set(run) - set(ref))
revised = sorted(i for i in set(run) & set(ref) if run[i]["revision"] != ref[i]["revision"])
differ = sorted(i for i in set(run) & set(ref) if run[i] != ref[i] and i not in revised)
print(f"expected: {len(ref)}\ngot: {len(run)}\nmissing: {len(missing)}\nextra: {len(extra)}")
print(f"revision differs: {len(revised)}\ncontent differs: {len(differ)}")
for i in missing: print("MISSING", json.dumps(ref[i]))
for i in extra: print("EXTRA", json.dumps(run[i]))
for i in revised + differ: print("DIFF", json.dumps(ref[i]), "\n  RUN", json.dumps(run[i]))
PY
head -6 "$WORK/compare.txt" | while IFS=: read -r key value; do result "alerts $key" "${value# }"; done
result "load" "$packets packets in ${seconds} s of capture time, two sensors in real time"
result "faults injected" "$kills processor SIGKILL + restart, 1 processor joined, 3 brokers"
result "rebalances seen by p2" "$(grep -c 'REBALANCING' "$WORK/p2.log")"
grep -q '^expected: 0$' "$WORK/compare.txt" && fail "the reference found no alerts: nothing compared"
grep -q '^missing: 0$' "$WORK/compare.txt" && grep -q '^extra: 0$' "$WORK/compare.txt" \
    && grep -q '^revision differs: 0$' "$WORK/compare.txt" \
    || fail "the multi-instance alerts differ from the single-instance reference: $(head -6 "$WORK/compare.txt" | tr '\n' ' ')"
exit 0
