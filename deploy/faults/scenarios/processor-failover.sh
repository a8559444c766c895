#!/usr/bin/env bash
# Issue 21, item 2: processors scale out. The two-sided mix flows in real time through two sensors into a cluster of
# three brokers; two processor instances share one application id; during the flow one is SIGKILLed and started
# again (same state directory and instance id), later a third joins. Once the sensors finished, `wirewatch replay`
# judges the same ww.packets/ww.l2/ww.sensors (copied partition for partition, in order) with one processor of a fresh
# application id into its own alert topic: its alerts are the reference. The multi-instance run's alerts on ww.alerts
# must equal it by id, latest revision and content, with no alert sent twice (more records under an id than its
# latest revision). Short mode (CI): 20,000 packets per sensor at 1,000/s.
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
source "$here/../lib/cluster.sh"
trap teardown EXIT
# capture seconds = packets / rate
packets=360000 rate=2000
[ "$SHORT" = 1 ] && packets=20000 rate=1000 # CI: within run.sh's limit on a loaded machine
seconds=$((packets / rate))

step() { echo "$(date -u +%T) $*"; } # progress in scenario.log
wirewatch bench generate --profile mix --out "$WORK/c.pcap" --server-out "$WORK/s.pcap" \
    --topology-out "$WORK/t.yaml" --packets $packets --rate $rate > "$WORK/generate.log" 2>&1 \
    || fail "bench generate failed: $(tail -1 "$WORK/generate.log")"
cluster_start 3
step "3 brokers serve"
client_host=client # the topology names only the server side; both runs judge the same unknown client host

processor() { # NAME: one instance of application wwf-failover, state and static id of its own
    start_bg "$1" java $WIREWATCH_JAVA_OPTS -jar "$WW_JAR" processor --bootstrap-servers "$BOOTSTRAP" --topology "$WORK/t.yaml" \
        --application-id wwf-failover --state-dir "$WORK/state-$1" --instance-id "wwf-$1"
}
processor p1
processor p2
wait_for 180 grep -q "REBALANCING -> RUNNING" "$WORK/p1.log" || fail "processor p1 never ran"
wait_for 180 grep -q "REBALANCING -> RUNNING" "$WORK/p2.log" || fail "processor p2 never ran"
step "p1 and p2 run"
start_bg sensor_client java $WIREWATCH_JAVA_OPTS -jar "$WW_JAR" sensor --bootstrap-servers "$BOOTSTRAP" --host "$client_host" \
    --read "$WORK/c.pcap" --realtime
start_bg sensor_server java $WIREWATCH_JAVA_OPTS -jar "$WW_JAR" sensor --bootstrap-servers "$BOOTSTRAP" --host server \
    --read "$WORK/s.pcap" --realtime

sleep $((seconds / 3))
stop_bg p1 KILL
step "p1 SIGKILLed"
sleep 5
step "p1 restarted"; processor p1 # the same state directory and instance id: it takes its tasks back
sleep $((seconds / 3))
step "p3 joins"; processor p3 # joins: the group rebalances onto three
wait "$(pid_of sensor_client)" "$(pid_of sensor_server)" 2>/dev/null
step "sensors finished"
# The reference meanwhile: the input is complete once both sensors finished (their last tick ends it).
# shellcheck disable=SC2086  # WIREWATCH_JAVA_OPTS is a list of options
start_bg replay java $WIREWATCH_JAVA_OPTS -jar "$WW_JAR" replay --bootstrap-servers "$BOOTSTRAP" --from 2000-01-01 \
    --topology "$WORK/t.yaml" --format jsonl --out "$WORK/reference.jsonl"
# Done when the processors consumed their input and ww.alerts then stopped changing for 10 s.
stable() {
    drained "$BOOTSTRAP" wwf-failover || return 1
    # sorted: the partitions' alerts may interleave differently from one read to the next
    wirewatch alerts --bootstrap-servers "$BOOTSTRAP" --format jsonl 2> "$WORK/alerts.err" | sort > "$WORK/alerts.now" \
        || return 1
    if [ -s "$WORK/alerts.now" ] && cmp -s "$WORK/alerts.now" "$WORK/alerts.jsonl"; then return 0; fi
    mv "$WORK/alerts.now" "$WORK/alerts.jsonl"; sleep 10; return 1
}
wait_for $((SHORT ? 180 : 600)) stable || fail "ww.alerts still changing $((SHORT ? 3 : 10)) min after the sensors finished"
for p in p1 p2 p3; do stop_bg $p; done
step "ww.alerts stable, processors stopped"
# Every record on ww.alerts (read committed), for doubled revisions
kafka_tool "$BOOTSTRAP" keys ww.alerts > "$WORK/alert-keys.txt" || fail "could not read ww.alerts' keys"
wait "$(pid_of replay)" || fail "the reference replay failed: $(grep -v '^\s*at ' "$WORK/replay.log" | tail -1)"
step "reference replayed"
python3 - "$WORK/alerts.jsonl" "$WORK/reference.jsonl" "$WORK/alert-keys.txt" > "$WORK/compare.txt" <<'PY'
import collections, json, sys
def load(path):
    return {a["id"]: a for a in (json.loads(l) for l in open(path) if l.strip())}
run, ref = load(sys.argv[1]), load(sys.argv[2])
records = collections.Counter(l.strip() for l in open(sys.argv[3]) if l.strip())
missing = sorted(set(ref) - set(run)); extra = sorted(set(run) - set(ref))
revised = sorted(i for i in set(run) & set(ref) if run[i]["revision"] != ref[i]["revision"])
differ = sorted(i for i in set(run) & set(ref) if run[i] != ref[i] and i not in revised)
# each revision is one record: more records under an id than its latest revision is an alert sent twice
doubled = sorted(i for i in run if records[i] > run[i]["revision"])
print(f"alerts reference: {len(ref)}\nalerts got: {len(run)}\nmissing: {len(missing)}\nextra: {len(extra)}")
print(f"doubled: {len(doubled)}\nrevision differs: {len(revised)}\ncontent differs: {len(differ)}")
print(f"records on ww.alerts: {sum(records.values())} (latest revisions add up to {sum(a['revision'] for a in run.values())})")
for i in missing: print("MISSING", json.dumps(ref[i]))
for i in extra: print("EXTRA", json.dumps(run[i]))
for i in doubled: print("DOUBLED", records[i], "records", json.dumps(run[i]))
for i in revised + differ: print("DIFF", json.dumps(ref[i]), "\n  RUN", json.dumps(run[i]))
PY
result "packets offered" "$packets per sensor (two sensors, client and server side) in ${seconds} s of capture time"
result "rate" "$rate packets/s per sensor, replayed in real time"
result "processors" "2 in one application id; p1 SIGKILLed at $((seconds / 3)) s and restarted (same state dir, instance id); p3 joined at $((seconds * 2 / 3 + 5)) s; 3 brokers"
result "rebalances seen by p2" "$(grep -c 'RUNNING -> REBALANCING' "$WORK/p2.log")"
head -8 "$WORK/compare.txt" | while IFS=: read -r key value; do result "$key" "${value# }"; done
grep -q '^alerts reference: 0$' "$WORK/compare.txt" && fail "the reference found no alerts: nothing compared"
for figure in missing extra doubled "revision differs" "content differs"; do
    grep -q "^$figure: 0$" "$WORK/compare.txt" \
        || fail "the multi-instance alerts differ from the single-instance reference: $(head -7 "$WORK/compare.txt" | tr '\n' ' ')"
done
exit 0
