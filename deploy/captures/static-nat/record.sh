#!/usr/bin/env bash
# Records a flow seen under two names: a client reaches 198.51.100.80:443, which a router forwards (DNAT) to a
# server holding 10.0.0.5:8443 (and :80 to :8080). The client's capture shows the public endpoint, the server's
# the private one; only the topology's `nat` list lets the processor join them (topology.yaml beside this file).
# Phase 1: a connection is answered. Phase 2: the server's host firewall drops SYNs to 8443, so the client
# retransmits into the void (seed case 1 behind a port forward). Then one more answered connection via :80, so
# the dropped SYNs had time to be answered.
# The sensors: the client's eth0 and the server's eth0. The router is not monitored.
# Needs root, iproute2, iptables, tcpdump, python3. Usage: deploy/captures/static-nat/record.sh
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
c=wwnat-client; r=wwnat-router; s=wwnat-server
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for ns in $c $r $s; do ip netns del $ns 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM
cleanup
for ns in $c $r $s; do
  ip netns add $ns; ip -n $ns link set lo up
  ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
link() { # namespace-a name-a mac-a namespace-b name-b mac-b
  ip link add wwnat-a type veth peer name wwnat-b
  ip link set wwnat-a netns "$1"; ip link set wwnat-b netns "$4"
  ip -n "$1" link set wwnat-a name "$2"; ip -n "$1" link set "$2" address "$3"; ip -n "$1" link set "$2" up
  ip -n "$4" link set wwnat-b name "$5"; ip -n "$4" link set "$5" address "$6"; ip -n "$4" link set "$5" up
}
link $c eth0 02:00:00:00:0a:09 $r eth0 02:00:00:00:0a:01
link $s eth0 02:00:00:00:0a:05 $r eth1 02:00:00:00:0a:11
ip -n $c addr add 198.51.100.9/24 dev eth0; ip -n $c route add default via 198.51.100.1
ip -n $r addr add 198.51.100.1/24 dev eth0; ip -n $r addr add 198.51.100.80/24 dev eth0
ip -n $r addr add 10.0.0.1/24 dev eth1
ip -n $s addr add 10.0.0.5/24 dev eth0; ip -n $s route add default via 10.0.0.1
ip netns exec $r sysctl -qw net.ipv4.ip_forward=1
ip netns exec $r iptables -t nat -A PREROUTING -d 198.51.100.80 -p tcp --dport 443 -j DNAT --to-destination 10.0.0.5:8443
ip netns exec $r iptables -t nat -A PREROUTING -d 198.51.100.80 -p tcp --dport 80 -j DNAT --to-destination 10.0.0.5:8080

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
for port in (8443, 8080):
    threading.Thread(target=serve, args=(port,), daemon=True).start()
threading.Event().wait()
PY
pids+=($!)
sleep 0.5
ip netns exec $c tcpdump -i eth0 -s 128 -U --immediate-mode -w "$out/client.pcap" 2>/dev/null & pids+=($!)
ip netns exec $s tcpdump -i eth0 -s 128 -U --immediate-mode -w "$out/server.pcap" 2>/dev/null & pids+=($!)
sleep 1

get() { # port, label: prints whether the connection was answered
  ip netns exec $c python3 - "$1" "$2" <<'PY' || true
import socket, sys
s = socket.socket(); s.settimeout(4)
try:
    s.connect(("198.51.100.80", int(sys.argv[1]))); s.sendall(b"GET / HTTP/1.0\r\n\r\n"); s.recv(100)
    print(f"  {sys.argv[2]}: answered")
except OSError as e:
    print(f"  {sys.argv[2]}: {type(e).__name__}")
finally:
    s.close()
PY
}
echo "phase 1: the forwarded service answers"
get 443 "198.51.100.80:443"
sleep 1
echo "phase 2: the server's host firewall drops SYNs to 8443"
ip netns exec $s iptables -A INPUT -p tcp --syn --dport 8443 -j DROP
get 443 "198.51.100.80:443"
sleep 1
get 80 "198.51.100.80:80"
sleep 2
