#!/usr/bin/env bash
# Three brokers; a producer (acks=all, idempotent, as the sensor's) writes a known set of records to ww.packets
# while the leader of partition 0 is killed with SIGKILL and restarted (full length: then another broker too).
# Passes when every record was acknowledged and ww.packets holds each exactly once: nothing lost, nothing doubled.
set -uo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$FAULTS_LIB/cluster.sh"
trap teardown EXIT

if [ "$SHORT" = 1 ]; then records=20000 seconds=45 cycles=1; else records=120000 seconds=150 cycles=2; fi
begun=$SECONDS
cluster_start 3
result cluster_start_s $((SECONDS - begun))
described=$(kafka_tool "$BOOTSTRAP" describe ww.packets)
result ww_packets "$described"
[[ $described == "replicas=3 min.insync.replicas=2 "* ]] || fail "ww.packets is not replicated 3 with min.insync.replicas 2: $described"

start_bg producer java -Xmx192m -cp "$WW_JAR" "$FAULTS_LIB/KafkaTool.java" "$BOOTSTRAP" produce ww.packets "$records" "$seconds"
producing=$SECONDS
killed=()
for ((cycle = 1; cycle <= cycles; cycle++)); do
  sleep $((seconds / (cycles * 3)))
  victim=$(cluster_leader ww.packets 0) || fail "cannot find the leader of ww.packets-0"
  cluster_kill "$victim"
  killed+=("$victim")
  sleep 10
  down=$SECONDS
  cluster_restart "$victim"
  result "restart_${cycle}_s" $((SECONDS - down))
done
result brokers_killed "${killed[*]}"
wait "$(pid_of producer)" || fail "the producer failed: $(tail -1 "$WORK/producer.log")"
result produce_s $((SECONDS - producing))
sent=$(grep -o 'acked=[0-9]* failed=[0-9]*' "$WORK/producer.log") || fail "the producer printed no count: $(tail -1 "$WORK/producer.log")"
result producer "$sent"
wait_for 60 bash -c "[[ \$(java -Xmx192m -cp '$WW_JAR' '$FAULTS_LIB/KafkaTool.java' '$BOOTSTRAP' describe ww.packets) == *isr=3 ]]" \
  || fail "a restarted broker did not rejoin the ISR of every ww.packets partition within 60 s"
kafka_tool "$BOOTSTRAP" keys ww.packets >"$WORK/keys.txt" || fail "cannot read ww.packets back"
total=$(wc -l <"$WORK/keys.txt")
distinct=$(sort -u "$WORK/keys.txt" | wc -l)
result records_sent "$records"
result records_on_topic "$total"
result records_lost $((records - distinct))
result records_doubled $((total - distinct))
[ "$sent" = "acked=$records failed=0" ] || fail "not every record was acknowledged: $sent of $records"
[ "$distinct" = "$records" ] || fail "$((records - distinct)) of $records acknowledged records are missing from ww.packets"
[ "$total" = "$records" ] || fail "$((total - distinct)) records are on ww.packets twice"
exit 0
