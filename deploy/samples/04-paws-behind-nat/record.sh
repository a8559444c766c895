#!/usr/bin/env bash
# Records seed case 4 into this folder: two clients behind one NAT gateway reach a server that drops SYNs whose
# TCP timestamp is older than one it accepted recently from the same address — what tcp_tw_recycle did with
# PAWS. Linux removed tcp_tw_recycle (4.12), so the server's drop is emulated with an nftables rule on the
# timestamp option that drops the TSvals older than X, X = the TSval of the connection it last accepted. Older is
# meant in 32-bit serial-number arithmetic (RFC 7323), as PAWS and the detector compare: the 2^31 - 1 values before
# X (tw_recycle also let X - 1 pass, TCP_PAWS_WINDOW; no random TSval lands there) — a plain `tsval lt X` would drop
# SYNs that PAWS accepts.
# Linux gives each connection a random TSval offset (tcp_timestamps=1), so behind the NAT one address shows TSvals
# that jump up and down: harmless while the server keeps no per-host timestamp (phase 1: answered connections with
# non-monotonic TSvals, which must not alert). In phase 2 the server remembers the TSval of the last connection it
# accepted from the gateway's address, as tw_recycle did, and silently drops SYNs older than it; the rule is renewed
# after every accepted connection. Each new connection is then older with probability 1/2, so phase 2 connects
# until two SYNs were dropped after three connections accepted in the minute before: a chain that random TSvals fit
# only 1 time in 8, so the PAWS_SYN_DROP explains the drop's UNANSWERED_SYN (docs/ALERTS.md, "One fault, one
# alert"). The phases are more than TCP_PAWS_MSL (60 s) apart.
# The sensors: the NAT gateway's outside interface and the server.
# Needs root, iproute2, iptables, nft, tcpdump, python3. Usage: deploy/samples/04-paws-behind-nat/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${WW_CAPTURE_DIR:-$here}
. "$here/../../lib/capture.sh"
. "$here/../../lib/namespaces.sh"
a=wwrec4-a; b=wwrec4-b; g=wwrec4-gw; s=wwrec4-server
namespaces $a $b $g $s
# Inside: both clients on a bridge in the gateway. Outside: the gateway and the server on one link.
ip -n $g link add br0 type bridge; ip -n $g link set br0 up; ip -n $g addr add 10.0.0.1/24 dev br0
for pair in "$a 10.0.0.2 02:00:00:00:04:02" "$b 10.0.0.3 02:00:00:00:04:03"; do
  set -- $pair
  ip link add wwrec4-c type veth peer name wwrec4-p
  ip link set wwrec4-c netns $1; ip link set wwrec4-p netns $g
  ip -n $1 link set wwrec4-c name eth0; ip -n $1 link set eth0 address $3; ip -n $1 link set eth0 up
  ip -n $1 addr add $2/24 dev eth0; ip -n $1 route add default via 10.0.0.1
  ip -n $g link set wwrec4-p name "in-${2##*.}"; ip -n $g link set "in-${2##*.}" master br0 up
  ip netns exec $1 sysctl -qw net.ipv4.tcp_timestamps=1
done
ip link add wwrec4-g type veth peer name wwrec4-s
ip link set wwrec4-g netns $g; ip link set wwrec4-s netns $s
ip -n $g link set wwrec4-g name eth0; ip -n $g link set eth0 address 02:00:00:00:04:01; ip -n $g link set eth0 up
ip -n $s link set wwrec4-s name eth0; ip -n $s link set eth0 address 02:00:00:00:04:14; ip -n $s link set eth0 up
ip -n $g addr add 198.51.100.1/24 dev eth0
ip -n $s addr add 198.51.100.20/24 dev eth0
ip netns exec $g sysctl -qw net.ipv4.ip_forward=1
ip netns exec $g iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE

ip netns exec $s python3 - <<'PY' &
import socket, threading
def serve(port):
    listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("0.0.0.0", port)); listener.listen(16)
    while True:
        conn, _ = listener.accept()
        try:
            conn.recv(1024); conn.sendall(b"HTTP/1.0 200 OK\r\n\r\n")
        finally:
            conn.close()
for port in (80, 8080):
    threading.Thread(target=serve, args=(port,), daemon=True).start()
threading.Event().wait()
PY
pids+=($!)
sleep 0.5
capture "gateway" $g eth0
capture "server" $s eth0
capture_start

get() { # client namespace, label[, port]; prints whether the connection was answered
  ip netns exec "$1" python3 - "$2" "${3:-80}" <<'PY' || true
import socket, sys
s = socket.socket(); s.settimeout(4)
try:
    s.connect(("198.51.100.20", int(sys.argv[2]))); s.sendall(b"GET / HTTP/1.0\r\n\r\n"); s.recv(100)
    print(f"  {sys.argv[1]}: answered")
except OSError as e:
    print(f"  {sys.argv[1]}: {type(e).__name__}")
finally:
    s.close()
PY
}
synval() { # the TSval of the first SYN of the newest connection to port 80 in the server's capture
  sleep 0.3
  local syns port
  syns=$(tshark -r "$out/server.pcap" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==80' \
    -T fields -e tcp.srcport -e tcp.options.timestamp.tsval 2>/dev/null)
  port=$(tail -1 <<<"$syns" | cut -f1)
  awk -v port="$port" '$1 == port { print $2; exit }' <<<"$syns"
}

echo "phase 1: no per-host timestamps at the server; every connection answered, TSvals jump around"
for round in 1 2; do
  get $a "client a"
  get $b "client b"
done
echo "(a minute and a bit: the server's memory of phase 1 expires, as TCP_PAWS_MSL's 60 s)"
sleep 65
echo "phase 2: the server remembers the last accepted TSval per host (emulated tw_recycle)"
ip netns exec $s nft add table inet paws
ip netns exec $s nft add chain inet paws in '{ type filter hook input priority 0; }'
older_than() { # TSVAL: the nft set of TSvals that PAWS rejects once it accepted TSVAL, the 2^31 - 1 before it
  local low=$(( ($1 - 2147483647 + 4294967296) % 4294967296 )) high=$(( ($1 - 1 + 4294967296) % 4294967296 ))
  span() { if [ "$1" = "$2" ]; then echo "$1"; else echo "$1-$2"; fi; }  # nft before 1.0.3 refuses a range a-a
  if [ $low -le $high ]; then span $low $high; else echo "{ $(span 0 $high), $(span $low 4294967295) }"; fi
}
remember() { # the accepted connection's TSval becomes the bound for the next ones
  local tsval; tsval=$(synval)
  [[ $tsval =~ ^[0-9]+$ ]] || { echo "record.sh: no TSval of the accepted SYN in the server's capture" >&2; exit 1; }
  ip netns exec $s nft flush chain inet paws in
  ip netns exec $s nft add rule inet paws in ip saddr 198.51.100.1 tcp dport 80 'tcp flags syn' \
    tcp option timestamp tsval "$(older_than "$tsval")" drop
}
# The server accepts the first connection (it remembers nothing yet); every connection it accepts moves the bound,
# as ts_recent did. At most 32 tries: two drops are missing after them with probability about 2e-6.
answered=0; dropped_after_answer=0; accepted_at=()
recently_accepted() { # connections accepted in the last 55 s (the detector's window is 60 s before the drop)
  local now count=0; now=$(date +%s)
  for at in "${accepted_at[@]}"; do [ $((now - at)) -le 55 ] && count=$((count + 1)); done
  echo $count
}
for try in $(seq 1 32); do
  client=$([ $((try % 2)) -eq 1 ] && echo $b || echo $a)
  result=$(get $client "client ${client##*-}")
  echo "$result"
  if [[ "$result" == *answered* ]]; then
    answered=$((answered + 1)); accepted_at+=("$(date +%s)"); remember
  elif [ "$(recently_accepted)" -ge 3 ]; then
    dropped_after_answer=$((dropped_after_answer + 1))
  fi
  [ $dropped_after_answer -ge 2 ] && break
done
echo "phase 2: $answered answered, $dropped_after_answer dropped after three answers in the minute before"
# Some later traffic on both sides, so the captures show that the last SYNs had time to be answered.
sleep 5
get $a "client a, another service" 8080
sleep 1
capture_stop
