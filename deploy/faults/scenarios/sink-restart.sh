#!/usr/bin/env bash
# Issue 21, item 5: a sink SIGKILLed while conditions are open, and again right after it resolved them; the sinks
# after it resolve each condition exactly once (open conditions live in ww.sink.open). Alerts: seed case 3's
# recording (a moved service refuses its old clients) through two sensors and a processor. Resolutions: a webhook receiver (the jsonl
# file output takes no resolutions) writes every notification it gets as one line of $WORK/received.jsonl.
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
source "$here/../lib/cluster.sh"
trap teardown EXIT
quiet=10 # --resolve-after, seconds

cluster_start 1
sample=$REPO/deploy/samples/03-port-moved # refusals of a moved service (a condition per subject)

receiver_port=$((PORT_BASE + 21))
# a file: a background command reads no here-document (its stdin is /dev/null)
cat > "$WORK/receiver.py" <<'PY'
import http.server, sys
out = open(sys.argv[2], "ab", buffering=0)
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        out.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(200); self.end_headers()
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Hook).serve_forever()
PY
start_bg receiver python3 "$WORK/receiver.py" "$receiver_port" "$WORK/received.jsonl"
sink() { # NAME: a sink of group wwf-sink, its own log
    start_bg "$1" java $WIREWATCH_JAVA_OPTS -jar "$WW_JAR" sink --bootstrap-servers "$BOOTSTRAP" --group-id wwf-sink \
        --from-start --group-wait 1s --resolve-after ${quiet}s --retry-backoff 200ms \
        --to "webhook:http://127.0.0.1:$receiver_port/hook"
}
count() { # STATUS: notifications of that status received
    [ -f "$WORK/received.jsonl" ] || { echo 0; return; }
    grep -c "\"status\":\"$1\"" "$WORK/received.jsonl"
}

start_bg processor java $WIREWATCH_JAVA_OPTS -jar "$WW_JAR" processor --bootstrap-servers "$BOOTSTRAP" \
    --topology "$sample/topology.yaml" --application-id wwf-sink-processor --state-dir "$WORK/processor-state"
sink sink1
start_bg sensor_client java $WIREWATCH_JAVA_OPTS -jar "$WW_JAR" sensor --bootstrap-servers "$BOOTSTRAP" --host client \
    --read "$sample/client.pcap"
start_bg sensor_server java $WIREWATCH_JAVA_OPTS -jar "$WW_JAR" sensor --bootstrap-servers "$BOOTSTRAP" --host server \
    --read "$sample/server.pcap"

fired() { [ "$(count firing)" -ge 1 ]; } # (wait_for runs a command: expansions in its arguments happen once)
wait_for 240 fired || fail "no alerts reached the sink within 240 s"
sleep 3 # a few more conditions open
firing_before_kill=$(count firing)
stop_bg sink1 KILL; kill_at=$SECONDS
sink sink2
subjects() { python3 - "$WORK/received.jsonl" "$1" <<'PY'
import json, sys, collections
fired, resolved = collections.Counter(), collections.Counter()
for line in open(sys.argv[1]):
    doc = json.loads(line)
    (fired if doc["status"] == "firing" else resolved)[doc["group"]] += 1
if sys.argv[2] == "open":
    print(sum(1 for g in fired if g not in resolved))
elif sys.argv[2] == "doubled":
    print(sum(1 for g, n in resolved.items() if n > 1))
elif sys.argv[2] == "subjects":
    print(len(fired))
PY
}
# the processor may still be reporting: wait until every condition that fired is resolved
all_resolved() { [ "$(subjects open)" = 0 ]; }
wait_for $((quiet * 6 + 120)) all_resolved \
    || fail "$(subjects open) condition(s) never resolved after the restart (of $(subjects subjects))"
resolved_by_second=$(count resolved)
stop_bg sink2 KILL # right after it resolved everything
sink sink3
sleep $((quiet * 2)) # a sink that re-resolved what sink2 finished would do so one quiet period after its start
stop_bg sink3 KILL

doubled=$(subjects doubled)
result "conditions (subjects fired)" "$(subjects subjects)"
result "firing notifications" "$(count firing) ($firing_before_kill before the first kill)"
result "resolutions" "$(count resolved)"
result "resolutions doubled" "$doubled"
result "resolutions after the second kill" "$(( $(count resolved) - resolved_by_second ))"
result "faults injected" "2 sink SIGKILLs"
[ "$(subjects open)" = 0 ] || fail "$(subjects open) condition(s) not resolved"
[ "$doubled" = 0 ] || fail "$doubled condition(s) resolved more than once"
[ "$(count resolved)" = "$resolved_by_second" ] || fail "a sink after the second kill resolved again"
exit 0
