"""The verdict of link-faults.sh: reads WORKDIR's phases, server-watch.log (the server sensor's /health and /metrics
each second), topics.jsonl (ww.flows, ww.sensors, ww.packets), alerts.jsonl (the sink) and server-eth0.pcap (tcpdump,
the independent truth). Prints `key: value` figures; on a failed check, exits 1 with the reason as stderr's last line."""
import argparse
import collections
import json
import subprocess
import sys

args = argparse.ArgumentParser()
args.add_argument("--work", required=True)
args.add_argument("--queue-bytes", type=int, required=True)
args.add_argument("--server-ip", required=True)
args.add_argument("--tiny", action="store_true", help="the queue budget is too small for the cut: drops are expected "
                  "and counted; what they cost downstream is reported, not checked")
a = args.parse_args()
w = a.work
failures = []


def out(key, value):
    print(f"{key}: {value}", flush=True)


def check(ok, why, always=False):
    """A failed check fails the run; with --tiny only the checks marked always (the rest is what drops cost)."""
    if not ok and (always or not a.tiny):
        failures.append(why)


phases = [(line.split()[0], int(line.split()[1])) for line in open(f"{w}/phases")]
at = dict(phases)
for (name, start), (_, end) in zip(phases, phases[1:]):
    out(f"phase {name} seconds", end - start)

# --- the sensor's own view, second by second ---
samples = []  # (epoch, code, captured, queue_bytes, queue_records, dropped, emitted, inflight)
bodies = []
for line in open(f"{w}/server-watch.log"):
    if line.startswith("#body"):
        bodies.append(line.split(" ", 2))
        continue
    f = line.split()
    if len(f) == 8:
        if f[1] != "000":  # not after the sensor stopped
            samples.append((int(f[0]), f[1], *map(int, f[2:])))
during = lambda s, e: [x for x in samples if s <= x[0] < e]
captured = [x[2] for x in samples]
out("packets captured (server sensor)", captured[-1])
# captures throughout: the counter moves in every 5 s of traffic, whatever the Kafka path does
traffic = during(at["baseline"], at["stopped"])
stalls = [traffic[i][0] for i in range(len(traffic) - 5) if traffic[i + 5][2] <= traffic[i][2]]
out("capture stalls (5 s without a new packet)", len(stalls))
check(not stalls, f"the server's sensor stopped capturing at {stalls[:3]}")
peak_bytes = max(x[3] for x in samples)
out("queue bytes peak", peak_bytes)
out("queue records peak", max(x[4] for x in samples))
out("queue budget bytes", a.queue_bytes)
check(peak_bytes <= a.queue_bytes, f"queue held {peak_bytes} bytes, over its budget {a.queue_bytes}", always=True)
out("queue drops", samples[-1][5])
if a.tiny:
    check(samples[-1][5] > 0, "a queue budget too small for the cut, and no drops counted", always=True)
    check(any("records dropped" in b[2] for b in bodies), "/health never named the dropped records", always=True)
else:
    check(samples[-1][5] == 0, f"the sensor dropped {samples[-1][5]} records with a budget sized for the outage")
# degraded: from the first 503 after the cut to the first 200 after the heal (samples come every 1-2 s)
first_503 = next((x[0] for x in samples if x[0] >= at["partition"] and x[1] == "503"), None)
first_200 = next((x[0] for x in samples if x[0] >= at["healed"] and x[1] == "200"), None)
check(first_503 is not None and first_503 - at["partition"] <= 15, "/health did not turn 503 within 15 s of the cut")
check(first_200 is not None, "the sensor never became healthy after the heal")
if first_503 is not None and first_200 is not None:
    out("degraded seconds (/health 503, cut to healthy)", first_200 - first_503)
    out("seconds from cut to degraded", first_503 - at["partition"])
    out("seconds from heal to healthy", first_200 - at["healed"])
    ok_inside = [x for x in samples if first_503 <= x[0] < at["healed"] and x[1] != "503"]
    check(not ok_inside, f"/health said healthy at {ok_inside[:1]} while the sensor was cut off")
reasons = [b[2].strip() for b in bodies if at["partition"] <= int(b[1]) <= at["healed"]]
out("degraded reason (last in the cut)", reasons[-1] if reasons else "-")
check(any("Kafka has not acknowledged" in r for r in reasons), "/health did not name Kafka as the reason")
out("records emitted (acknowledged by Kafka)", samples[-1][6])

# --- what reached Kafka ---
records = [json.loads(line) for line in open(f"{w}/topics.jsonl")]
by_topic = collections.Counter(r["topic"] for r in records)
statuses = [r["value"] for r in records if r["topic"] == "ww.sensors" and r["value"].get("host") == "server"]
degraded_status = [s for s in statuses if s.get("degraded")]
out("ww.sensors statuses from server (degraded)", f"{len(statuses)} ({len(degraded_status)})")
check(degraded_status, "no status on ww.sensors says the server's sensor was degraded")
from_server = collections.Counter(r["topic"] for r in records if r["topic"] != "ww.flows"
                                  and r["value"].get("host") == "server")
out("records from server in Kafka", dict(from_server))
stopped = [line for line in open(f"{w}/sensor-server.log") if "records emitted for" in line]
out("server sensor at its stop", stopped[-1].split("sensor server stopped: ")[-1].strip() if stopped else "-")
emitted_at_stop = int(stopped[-1].split(" records emitted")[0].split()[-1].replace(",", "")) if stopped else -1
out("records delivered (in Kafka / the sensor emitted)", f"{sum(from_server.values())} / {emitted_at_stop}")
check(sum(from_server.values()) == emitted_at_stop, "Kafka holds another number of the server's records than its "
      "sensor emitted", always=True)

# --- the processor's flows from the server's vantage against tcpdump ---
truth = collections.Counter()
tshark = subprocess.run(["tshark", "-r", f"{w}/server-eth0.pcap", "-Y", "tcp", "-T", "fields", "-e", "ip.src",
                         "-e", "tcp.srcport", "-e", "ip.dst", "-e", "tcp.dstport"], capture_output=True, text=True)
for line in tshark.stdout.splitlines():
    src, sport, dst, dport = line.split("\t")
    key = (dst, int(dport), src, int(sport)) if src == a.server_ip else (src, int(sport), dst, int(dport))
    truth[key] += 1
seen = collections.Counter()
flow_records = collections.Counter()
one_sided = []  # both sensors capture the one link: a record without both vantages is a flow split in two
for r in records:
    if r["topic"] != "ww.flows" or r["value"].get("protocol") != 6:
        continue
    v = r["value"]
    flow_records[(v["client"], v["clientPort"], v["server"], v["serverPort"])] += 1
    if sorted(view["host"] for view in v["vantages"]) != ["client", "server"]:
        one_sided.append((v["client"], v["clientPort"], v["server"], v["serverPort"]))
    for view in v["vantages"]:
        if view["host"] == "server":
            seen[(v["client"], v["clientPort"], v["server"], v["serverPort"])] += view["origPackets"] + view["respPackets"]
# unanswered attempts stay open for syn-attempt-window (130 s): those of the last minutes are not in ww.flows yet
still_open = [k for k in truth if k not in flow_records]
out("tcp flows (tcpdump / in ww.flows / still open, to :8082)", f"{len(truth)} / {len(flow_records)} / {len(still_open)}")
check(all(k[3] == 8082 for k in still_open), f"flows missing from ww.flows: {[k for k in still_open if k[3] != 8082][:2]}")
closed = [k for k in truth if k in flow_records]
out("tcp packets of closed flows (tcpdump / ww.flows from server)",
    f"{sum(truth[k] for k in closed)} / {sum(seen[k] for k in closed)}")
out("ww.flows records seen from one side only (a flow split in two)", len(one_sided))
check(not one_sided, f"{len(one_sided)} ww.flows records lack a vantage (a sensor's late records opened a second "
      f"flow), e.g. {one_sided[:1]}")
differ = [(k, truth[k], seen.get(k, 0)) for k in closed if truth[k] != seen.get(k, 0)]
extra = [k for k in seen if k not in truth]
out("flows whose counts differ from tcpdump", len(differ) + len(extra))
check(not differ and not extra, f"ww.flows differs from tcpdump on {len(differ) + len(extra)} flows, e.g. "
      f"{(differ + extra)[:2]}")

# --- alerts ---
alerts = [json.loads(line) for line in open(f"{w}/alerts.jsonl") if line.strip()]
last = {}
for alert in alerts:
    last[alert["id"]] = alert
got = collections.Counter(f"{x['type']} {x.get('cause') or x.get('reason') or ''} {x.get('host') or ''}".strip()
                          for x in last.values())
out("alerts got", dict(sorted(got.items())))
expected = ["UNANSWERED_SYN DROPPED_AT_SERVER_HOST server", "SENSOR_DEGRADED SILENT server",
            "SENSOR_DEGRADED KAFKA_UNREACHABLE server"]
if a.tiny:
    expected.append("SENSOR_DEGRADED QUEUE_DROPS server")
out("alerts expected", expected + ["CONNECTION_REFUSED (8081)"])
for e in expected:
    check(got[e] > 0, f"no {e} alert", always=e.startswith("SENSOR_DEGRADED"))
check(any(x["type"] == "CONNECTION_REFUSED" for x in last.values()), "no CONNECTION_REFUSED for :8081")
blaming = [x for x in alerts if x.get("missing_at") == "server" or x.get("cause") in ("LOST_BEFORE_SERVER",
           "SYNACK_LOST_ON_RETURN") or (x["type"] == "SENSOR_COVERAGE_GAP")]
out("alerts blaming the silent server (any revision)", len(blaming))
check(not blaming, f"{blaming[0]['type']} {blaming[0].get('cause')} misreads the server's late records: {blaming[0].get('summary')}"
      if blaming else "")
unexpected = [k for k in got if not any(k.startswith(" ".join(e.split()[:2])) for e in expected + ["CONNECTION_REFUSED"])
              and not k.startswith("UNANSWERED_SYN NO_ANSWER")]
out("alerts unexpected", unexpected)
check(not unexpected, f"unexpected alerts: {unexpected}")
# While the server is silent its side counts as unmonitored: NO_ANSWER (the client's view alone) is right then.
unanswered = collections.Counter(x.get("cause") for x in last.values() if x["type"] == "UNANSWERED_SYN")
out("UNANSWERED_SYN by cause (last revision)", dict(unanswered))
wrong = set(unanswered) - {"DROPPED_AT_SERVER_HOST", "NO_ANSWER"}
check(not wrong, f"UNANSWERED_SYN with cause {wrong}")

for why in failures:
    print(why, file=sys.stderr)
sys.exit(1 if failures else 0)
