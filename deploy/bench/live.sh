#!/usr/bin/env bash
# BENCHMARKS.md, "Live capture": the capture engines against tcpdump on the same live traffic in one run.
# A sender in namespace wwlive-tx replays the mix through a veth into namespace wwlive-rx, where tcpdump and one
# wirewatch capturer read the same packets side by side. First each sender's ceiling is measured with nothing
# capturing, and the fastest one drives every run. Needs root (namespaces, raw sockets).
#
#   deploy/bench/live.sh [--packets N] [--repeats R] [--senders trafgen,tcpreplay,netsniff-ng]
#                        [--capturers bench-ring-1,bench-ring-2,bench-libpcap,sensor-ring,sensor-libpcap]
#                        [--mix FILE] [--prefix N] [--out DIR]
#
# --packets: packets each run offers (default 2,000,000); --prefix: trafgen replays the mix's first N packets
# round-robin (its config parser slows badly beyond ~50,000 packets); the other senders replay the mix itself.
# WIREWATCH_JAVA_OPTS reaches every wirewatch JVM (the launcher reads it).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ww="$root/wirewatch"
packets=2000000
repeats=3
senders=trafgen,tcpreplay,netsniff-ng
capturers=bench-ring-1,bench-ring-2,bench-libpcap,sensor-ring,sensor-libpcap
mix=""
prefix=50000
out=""
sender_timeout=60
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --packets) packets=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    --senders) senders=$2; shift 2 ;;
    --capturers) capturers=$2; shift 2 ;;
    --mix) mix=$2; shift 2 ;;
    --prefix) prefix=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "live.sh: unknown option $1" >&2; usage ;;
  esac
done
[[ $packets =~ ^[0-9]+$ && $repeats =~ ^[1-9][0-9]*$ && $prefix =~ ^[1-9][0-9]*$ ]] \
  || { echo "live.sh: --packets, --repeats and --prefix are whole numbers" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "live.sh: needs root (network namespaces, packet sockets)" >&2; exit 2; }

# The tools, from Debian like .ci/run; a tool that is still missing afterwards is named, not guessed around.
declare -A package_of=([tcpdump]=tcpdump [tcpreplay]=tcpreplay [netsniff-ng]=netsniff-ng [trafgen]=netsniff-ng
  [curl]=curl [taskset]=util-linux [ip]=iproute2 [python3]=python3 [java]=openjdk-17-jre-headless)
needed=(ip tcpdump curl taskset python3 java)
IFS=, read -ra sender_list <<< "$senders"
IFS=, read -ra capturer_list <<< "$capturers"
for s in "${sender_list[@]}"; do
  case $s in tcpreplay|netsniff-ng|trafgen) needed+=("$s") ;; *) echo "live.sh: unknown sender $s" >&2; exit 2 ;; esac
done
for c in "${capturer_list[@]}"; do
  [[ $c =~ ^(bench-ring-[0-9]+|bench-libpcap|sensor-ring|sensor-libpcap)$ ]] \
    || { echo "live.sh: unknown capturer $c" >&2; exit 2; }
done
missing=()
for tool in "${needed[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${package_of[$tool]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "live.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "live.sh: could not install ${missing[*]}" >&2; exit 2; }
fi
for tool in "${needed[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "live.sh: $tool is missing (apt-get install ${package_of[$tool]})" >&2; exit 2; }
done

tx=wwlive-tx rx=wwlive-rx txif=wwlive-tx0 rxif=wwlive-rx0
broker_port=19092 metrics_port=19100
work=$(mktemp -d /tmp/wirewatch-live-XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns del "$tx" 2>/dev/null || true
  ip netns del "$rx" 2>/dev/null || true
  if [ -n "$out" ]; then mkdir -p "$out" && cp "$work"/*.tsv "$work"/*.log "$out"/ 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
forget() { local keep=() p; for p in "${pids[@]}"; do [ "$p" != "$1" ] && keep+=("$p"); done; pids=("${keep[@]}"); }

# Two namespaces and a veth between them; no IPv6 of their own, so only the replay crosses the link.
cleanup_ns() { ip netns del "$tx" 2>/dev/null || true; ip netns del "$rx" 2>/dev/null || true; }
cleanup_ns
ip netns add "$tx"
ip netns add "$rx"
ip link add "$txif" netns "$tx" type veth peer name "$rxif" netns "$rx"
for ns in "$tx" "$rx"; do
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$ns" link set lo up
done
ip -n "$tx" link set "$txif" up
ip -n "$rx" link set "$rxif" up

echo "live.sh: building or checking the jar ..." >&2
"$ww" --version >/dev/null
if [ -z "$mix" ]; then
  mix="$work/mix.pcap"
  echo "live.sh: generating the mix ($packets packets) ..." >&2
  "$ww" bench generate --profile mix --packets "$packets" --out "$mix" >/dev/null
fi
# trafgen reads a config, not a pcap: each of the first $prefix packets' captured bytes as one packet.
cfg="$work/mix.cfg"
if [[ " ${sender_list[*]} " == *" trafgen "* ]]; then
  python3 - "$mix" "$cfg" "$prefix" <<'EOF'
import struct, sys
src, dst, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src, 'rb') as f, open(dst, 'w') as out:
    magic = f.read(24)[:4]
    if magic not in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        sys.exit('live.sh: %s is not a pcap file' % src)
    endian = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    for _ in range(limit):
        header = f.read(16)
        if len(header) < 16:
            break
        data = f.read(struct.unpack(endian + 'IIII', header)[2])
        out.write('{' + ','.join('0x%02x' % b for b in data) + '}\n')
EOF
fi

rx_counters() { # packets and drops received on the capture end (ip netns exec mounts the namespace's /sys)
  ip netns exec "$rx" cat /sys/class/net/$rxif/statistics/rx_packets /sys/class/net/$rxif/statistics/rx_dropped | paste -sd' '
}

# One send of $packets packets, pinned to CPU 0; prints "SENT SECONDS" by the sender's own account. Bounded:
# netsniff-ng's replay sometimes spins for minutes on a full TX_RING here.
send() { # SENDER
  local log="$work/send.log" timeout="timeout --kill-after=5 $sender_timeout"
  case $1 in
    tcpreplay)
      $timeout ip netns exec "$tx" taskset -c 0 tcpreplay --topspeed --preload-pcap --limit="$packets" -i "$txif" "$mix" >"$log" 2>&1 || true
      awk '/^Actual:/ {print $2, $(NF-1)}' "$log" ;;
    netsniff-ng)
      $timeout ip netns exec "$tx" netsniff-ng --in "$mix" --out "$txif" --silent --bind-cpu 0 --ring-size 32MiB \
        --num "$packets" >"$log" 2>&1 || true
      tr -d '\r' <"$log" | awk '/packets outgoing/ {n=$1} /usec in total/ {s=$1 + $3 / 1e6} END {print n, s}' ;;
    trafgen)
      $timeout ip netns exec "$tx" trafgen --in "$cfg" --out "$txif" --num "$packets" --cpus 1 >"$log" 2>&1 || true
      tr -d '\r' <"$log" | awk '/packets outgoing/ {n=$1} /usec on CPU/ {s=$1 + $3 / 1e6} END {print n, s}' ;;
  esac
}

echo "live.sh: sender ceilings (nothing capturing) ..." >&2
printf 'sender\trun\tsent\tseconds\tveth_rx\n' >"$work/ceilings.tsv"
best="" best_rate=0
for s in "${sender_list[@]}"; do
  for run in $(seq "$repeats"); do
    read -r before _ < <(rx_counters)
    sent="" secs=""
    read -r sent secs < <(send "$s") || true
    read -r after _ < <(rx_counters)
    if ! [[ ${sent:-} =~ ^[1-9] && ${secs:-0} != 0 ]]; then
      echo "live.sh:   $s failed or took over ${sender_timeout} s (skipped); its output:" >&2
      tail -5 "$work/send.log" | tr -d '\r' | sed 's/^/live.sh:     /' >&2
      printf '%s\t%s\t\t\t%s\n' "$s" "$run" "$((after - before))" >>"$work/ceilings.tsv"
      break
    fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$s" "$run" "$sent" "$secs" "$((after - before))" >>"$work/ceilings.tsv"
    rate=$(awk -v n="$sent" -v s="$secs" 'BEGIN {printf "%d", n / s}')
    echo "live.sh:   $s: $sent packets in $secs s = $rate pkt/s" >&2
    if [ "$rate" -gt "$best_rate" ]; then best=$s best_rate=$rate; fi
  done
done
[ -n "$best" ] || { echo "live.sh: no sender worked" >&2; exit 1; }
echo "live.sh: the fastest sender is $best" >&2

cpu_ticks() { awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat"; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
wait_for() { # SECONDS COMMAND...: until the command succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.3
  done
}
metric() { awk -v m="$1" '$1 ~ "^" m "({|$)" {sum += $2} END {printf "%d", sum}' "$work/metrics"; }

broker=""
start_broker() {
  [ -n "$broker" ] && return
  ip netns exec "$rx" "$ww" broker --port "$broker_port" >"$work/broker.log" 2>&1 &
  broker=$!
  pids+=("$broker")
  wait_for 90 ip netns exec "$rx" bash -c "echo > /dev/tcp/127.0.0.1/$broker_port" \
    || { echo "live.sh: the broker did not start; see below" >&2; tail -20 "$work/broker.log" >&2; exit 1; }
  sleep 3 # its topics
}

printf 'capturer\trun\tsent\tseconds\tveth_rx\tveth_dropped\tcaptured\tkernel_drops\tqueue_drops\tcpu_s\trss_kb\thwm_kb\tfile_kb\tidle_rss_kb\tsettled_rss_kb\n' \
  >"$work/runs.tsv"
clk=$(getconf CLK_TCK)
for run in $(seq "$repeats"); do
  for c in "${capturer_list[@]}"; do
    echo "live.sh: run $run/$repeats: $c beside tcpdump, $best sending ..." >&2
    ip netns exec "$rx" tcpdump -i "$rxif" -s 128 -B 65536 -w /dev/null 2>"$work/tcpdump.log" &
    tcpdump=$!
    pids+=("$tcpdump")
    log="$work/$c.log"
    case $c in
      bench-*)
        engine=${c#bench-}; engine=${engine%-*}; threads=1
        [[ $c =~ -([0-9]+)$ ]] && threads=${BASH_REMATCH[1]}
        ip netns exec "$rx" "$ww" bench capture --interface "$rxif" --engine "$engine" --capture-threads "$threads" \
          --quiet >"$log" 2>&1 &
        ww_pid=$!
        pids+=("$ww_pid")
        wait_for 60 grep -q '^capturing' "$log" || { echo "live.sh: $c did not start:" >&2; cat "$log" >&2; exit 1; } ;;
      sensor-*)
        start_broker
        ip netns exec "$rx" "$ww" sensor --bootstrap-servers "127.0.0.1:$broker_port" --interface "$rxif" \
          --engine "${c#sensor-}" --http-port "$metrics_port" --host live-bench >"$log" 2>&1 &
        ww_pid=$!
        pids+=("$ww_pid")
        wait_for 60 ip netns exec "$rx" curl -sf "http://127.0.0.1:$metrics_port/metrics" \
          || { echo "live.sh: $c did not start:" >&2; cat "$log" >&2; exit 1; } ;;
    esac
    wait_for 10 grep -q 'listening on' "$work/tcpdump.log" || { echo "live.sh: tcpdump did not start:" >&2; cat "$work/tcpdump.log" >&2; exit 1; }
    sleep 5 # the JVM settles: what it holds idle
    idle_rss=$(status_kb "$ww_pid" VmRSS)
    read -r rx_before drop_before < <(rx_counters)
    t0=$(cpu_ticks "$tcpdump") w0=$(cpu_ticks "$ww_pid")
    sent="" secs=""
    read -r sent secs < <(send "$best") || true
    [[ ${sent:-} =~ ^[1-9] && ${secs:-0} != 0 ]] || { echo "live.sh: $best failed:" >&2; cat "$work/send.log" >&2; exit 1; }
    sleep 3 # the ring's last block (10 ms), the sensor's hold (1 s) and its flush
    read -r rx_after drop_after < <(rx_counters)
    t1=$(cpu_ticks "$tcpdump") w1=$(cpu_ticks "$ww_pid")
    rss=$(status_kb "$ww_pid" VmRSS) hwm=$(status_kb "$ww_pid" VmHWM) file=$(status_kb "$ww_pid" RssFile)
    t_rss=$(status_kb "$tcpdump" VmRSS) t_hwm=$(status_kb "$tcpdump" VmHWM) t_file=$(status_kb "$tcpdump" RssFile)
    settled=""
    queue_drops=""
    case $c in
      bench-*)
        # SIGTERM: a background job of a script starts with SIGINT ignored, and the JVM then leaves it so
        kill -TERM "$ww_pid"; wait "$ww_pid" || true; forget "$ww_pid"
        line=$(grep '^result ' "$log") || { echo "live.sh: $c printed no result:" >&2; cat "$log" >&2; exit 1; }
        captured=$(sed -E 's/.* captured=([0-9]+).*/\1/' <<<"$line")
        kernel=$(sed -E 's/.* kernel_drops=([0-9]+).*/\1/' <<<"$line") ;;
      sensor-*)
        sleep 5
        settled=$(status_kb "$ww_pid" VmRSS)
        ip netns exec "$rx" curl -sf "http://127.0.0.1:$metrics_port/metrics" >"$work/metrics"
        captured=$(metric wirewatch_sensor_packets_captured_total)
        kernel=$(metric wirewatch_sensor_pcap_dropped_total)
        queue_drops=$(metric wirewatch_sensor_queue_dropped_total)
        kill -TERM "$ww_pid"; wait "$ww_pid" || true; forget "$ww_pid" ;;
    esac
    kill -INT "$tcpdump"; wait "$tcpdump" || true; forget "$tcpdump"
    t_captured=$(awk '/packets captured/ {print $1}' "$work/tcpdump.log")
    t_dropped=$(awk '/dropped by kernel/ {print $1}' "$work/tcpdump.log")
    veth_rx=$((rx_after - rx_before)) veth_drop=$((drop_after - drop_before))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
      "$c" "$run" "$sent" "$secs" "$veth_rx" "$veth_drop" "$captured" "$kernel" "$queue_drops" \
      "$(awk -v a="$w0" -v b="$w1" -v k="$clk" 'BEGIN {printf "%.2f", (b - a) / k}')" "$rss" "$hwm" "$file" \
      "$idle_rss" "$settled" >>"$work/runs.tsv"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
      "tcpdump beside $c" "$run" "$sent" "$secs" "$veth_rx" "$veth_drop" "$t_captured" "$t_dropped" "" \
      "$(awk -v a="$t0" -v b="$t1" -v k="$clk" 'BEGIN {printf "%.2f", (b - a) / k}')" "$t_rss" "$t_hwm" "$t_file" \
      "" "" >>"$work/runs.tsv"
    cat "$work"/runs.tsv | tail -2 | cut -f1,3,7,8,10 | sed 's/^/live.sh:   /' >&2
  done
done

# The tables: medians over the runs, with the range where it says something.
python3 - "$work/ceilings.tsv" "$work/runs.tsv" "$best" "$packets" "$prefix" <<'EOF'
import csv, statistics, sys
ceilings, runs, best, packets, prefix = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
def rows(path):
    with open(path) as f:
        return list(csv.DictReader(f, delimiter='\t'))
def num(v):
    return float(v) if v not in (None, '') else None
def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None
def span(values, fmt):
    values = [v for v in values if v is not None]
    if not values:
        return '–'
    m = fmt(statistics.median(values))
    return m if len(values) == 1 or min(values) == max(values) else f'{m} ({fmt(min(values))}–{fmt(max(values))})'
n = lambda v: f'{v:,.0f}'
pct = lambda v: f'{v:.1f} %'
mb = lambda v: f'{v / 1024:,.0f}'
print('Sender ceilings, nothing capturing (sender pinned to CPU 0; median (range) of the runs):\n')
print('| sender | packets sent | pkt/s | veth rx |')
print('|---|---:|---:|---:|')
by = {}
for r in rows(ceilings):
    by.setdefault(r['sender'], []).append(r)
for sender, rs in by.items():
    worked = [r for r in rs if r['sent']]
    if not worked:
        print(f'| {sender} | failed or timed out | – | {n(med([num(r["veth_rx"]) for r in rs]))} |')
        continue
    failed = len(rs) - len(worked)
    rs = worked
    rates = [num(r['sent']) / num(r['seconds']) for r in rs]
    note = (' (used)' if sender == best else '') + (f' ({failed} run(s) failed)' if failed else '')
    print(f"| {sender}{note} | {n(med([num(r['sent']) for r in rs]))} | "
          f"{span(rates, n)} | {n(med([num(r['veth_rx']) for r in rs]))} |")
what = f'the first {prefix:,} packets of the mix round-robin' if best == 'trafgen' else 'the mix'
print(f'\nCapturers: {best} offers {packets:,} packets ({what}); each wirewatch capturer runs beside tcpdump on '
      'the same packets (its twin row). Medians (range) over the runs.\n')
print('| capturer | offered pkt/s | veth rx | captured | % of veth rx | kernel drops | queue drops | CPU s '
      '| CPU s / M pkt | RSS / peak MB (RssFile: ring, jar) | sensor RSS idle / settled MB |')
print('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
by = {}
for r in rows(runs):
    by.setdefault(r['capturer'], []).append(r)
for capturer, rs in by.items():
    g = lambda k: [num(r[k]) for r in rs]
    share = [100 * num(r['captured']) / num(r['veth_rx']) for r in rs if num(r['veth_rx'])]
    per_m = [num(r['cpu_s']) / (num(r['captured']) / 1e6) for r in rs if num(r['captured'])]
    rates = [num(r['sent']) / num(r['seconds']) for r in rs]
    idle = med(g('idle_rss_kb'))
    sensor = f"{mb(idle)} / {mb(med(g('settled_rss_kb')))}" if idle is not None and med(g('settled_rss_kb')) else '–'
    name = capturer if capturer.startswith('tcpdump') else f'**{capturer}**'
    print(f"| {name} | {span(rates, n)} | {n(med(g('veth_rx')))} | {span(g('captured'), n)} | {span(share, pct)} | "
          f"{span(g('kernel_drops'), n)} | {span(g('queue_drops'), n)} | {span(g('cpu_s'), lambda v: f'{v:.2f}')} | "
          f"{span(per_m, lambda v: f'{v:.2f}')} | {mb(med(g('rss_kb')))} / {mb(med(g('hwm_kb')))} "
          f"({mb(med(g('file_kb')) or 0)}) | {sensor} |")
EOF
