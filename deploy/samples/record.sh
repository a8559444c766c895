#!/usr/bin/env bash
# Re-records the two-sided sample captures of deploy/samples from real Linux kernels in network namespaces.
# Needs root, iproute2, iptables, tcpdump and python3. Usage: sudo deploy/samples/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
client=wwrec-client
server=wwrec-server
servers=()
captures=()

cleanup() {
  for pid in "${captures[@]}" "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  servers=()
  captures=()
  ip netns del "$client" 2>/dev/null || true
  ip netns del "$server" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

in_client() { ip netns exec "$client" "$@"; }
in_server() { ip netns exec "$server" "$@"; }

# A small TCP service: answers one line per connection, then closes. Listens on every port given.
serve() {
  ip netns exec "$server" python3 - "$@" <<'PY' &
import socket, sys, threading
def serve(port):
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("0.0.0.0", port)); listener.listen(16)
    while True:
        conn, _ = listener.accept()
        conn.recv(1024); conn.sendall(b"200 OK wirewatch sample service\r\n"); conn.close()
for port in sys.argv[1:]:
    threading.Thread(target=serve, args=(int(port),), daemon=True).start()
threading.Event().wait()
PY
  servers+=($!)
  sleep 0.5
}

# One client connection: source address, destination port, connect timeout in seconds. Prints what happened.
connect() {
  in_client python3 - "$@" <<'PY' || true
import socket, sys
source, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(); s.settimeout(timeout); s.bind((source, 0))
try:
    s.connect(("198.51.100.20", port)); s.sendall(b"HELLO\r\n"); s.recv(1024)
    print(f"  {source} -> :{port} answered")
except Exception as e:
    print(f"  {source} -> :{port} {type(e).__name__}: {e}")
finally:
    s.close()
PY
}

setup() {
  cleanup
  ip netns add "$client"
  ip netns add "$server"
  ip link add wwrec-c type veth peer name wwrec-s
  ip link set wwrec-c netns "$client"
  ip link set wwrec-s netns "$server"
  in_client ip link set wwrec-c name eth0
  in_server ip link set wwrec-s name eth0
  in_client ip link set eth0 address 02:00:00:00:00:0a
  in_server ip link set eth0 address 02:00:00:00:00:14
  for ns in "$client" "$server"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip netns exec "$ns" ip link set lo up
    ip netns exec "$ns" ip link set eth0 up
  done
  in_client ip addr add 198.51.100.10/24 dev eth0
  in_client ip addr add 198.51.100.11/24 dev eth0
  in_server ip addr add 198.51.100.20/24 dev eth0
}

capture_start() { # case folder
  # Started directly (not through a function) so that $! is tcpdump itself and SIGINT reaches it.
  ip netns exec "$client" tcpdump -i eth0 -s 128 -U -w "$1/client.pcap" 2>/dev/null & captures+=($!)
  ip netns exec "$server" tcpdump -i eth0 -s 128 -U -w "$1/server.pcap" 2>/dev/null & captures+=($!)
  sleep 1
}

capture_stop() {
  sleep 1
  for pid in "${captures[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  wait "${captures[@]}" 2>/dev/null || true
  captures=()
}

echo "case 1: a host firewall drops SYNs that reached the server"
setup
dir="$here/01-firewall-drop"; mkdir -p "$dir"
serve 443 8080
in_server iptables -A INPUT -p tcp --syn --dport 8080 -j DROP
capture_start "$dir"
connect 198.51.100.10 443 3
connect 198.51.100.10 8080 6
sleep 7
connect 198.51.100.10 443 3
capture_stop
cleanup

echo "case 2: the server-side capture runs on the wrong interface (client, server, backend)"
"$here/02-wrong-interface/record.sh"

echo "case 3: the service moved from port 8080 to 8081"
setup
dir="$here/03-port-moved"; mkdir -p "$dir"
serve 8081
capture_start "$dir"
for source in 198.51.100.10 198.51.100.11 198.51.100.10; do
  connect "$source" 8080 3
  sleep 0.5
done
connect 198.51.100.11 8081 3
connect 198.51.100.10 8081 3
capture_stop
cleanup
echo "case 4: PAWS drops SYNs from clients behind NAT (clients, gateway and server namespaces)"
"$here/04-paws-behind-nat/record.sh"
echo "case 5: a dual-NIC host without a policy route (host, two routers, server)"
"$here/05-dual-nic-no-route/record.sh"
echo "case 6: a router forgets idle sessions (client, router and server namespaces)"
"$here/06-idle-session-dropped/record.sh"
echo "case 7: an HA failover's gratuitous ARP is dropped on the way to a peer (node1, node2, peer on a bridge)"
"$here/07-failover-announcement-blocked/record.sh"
echo "case 8: a host ignores ICMP redirects (two hosts, two routers, a server)"
"$here/08-redirect-ignored/record.sh"
echo "recorded: $(ls "$here"/*/*.pcap | tr '\n' ' ')"
