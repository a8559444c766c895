#!/usr/bin/env bash
# Records seed case 5 into this folder: a host with two NICs -- eth0 public (198.51.100.10, default route to the
# internet router) and eth1 internal (10.1.0.10/24, core router 10.1.0.1) -- has no route for the internal network
# 10.2.0.0/16 behind the core router. Its connection to the internal server 10.2.0.5 leaves by eth0 towards the
# default gateway, which discards private destinations (a blackhole route, as providers do). Then the missing route
# is added (`ip route add 10.2.0.0/16 via 10.1.0.1`) and the same connection works through eth1.
# The host captures both interfaces (host@eth0.pcap, host@eth1.pcap), the server its eth0.
# Needs root, iproute2, tcpdump, python3.
# Usage: deploy/samples/05-dual-nic-no-route/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${WW_CAPTURE_DIR:-$here}
. "$here/../../lib/capture.sh"
. "$here/../../lib/namespaces.sh"
h=ww5-host; isp=ww5-isp; core=ww5-core; s=ww5-server
namespaces $h $isp $core $s
link() { # namespace A, its interface, address/prefix, namespace B, its interface, address/prefix
  ip link add ww5-a netns "$1" type veth peer name ww5-b netns "$4"
  ip -n "$1" link set ww5-a name "$2"; ip -n "$4" link set ww5-b name "$5"
  ip -n "$1" addr add "$3" dev "$2"; ip -n "$4" addr add "$6" dev "$5"
  ip -n "$1" link set "$2" up; ip -n "$4" link set "$5" up
}
link $h eth0 198.51.100.10/24 $isp eth0 198.51.100.1/24
link $h eth1 10.1.0.10/24 $core eth0 10.1.0.1/24
link $core eth1 10.2.0.1/24 $s eth0 10.2.0.5/24
ip -n $h link set eth0 address 02:00:00:00:05:10; ip -n $h link set eth1 address 02:00:00:00:05:11
ip -n $h route add default via 198.51.100.1
ip -n $isp route add blackhole 10.0.0.0/8
ip netns exec $isp sysctl -qw net.ipv4.ip_forward=1
ip netns exec $core sysctl -qw net.ipv4.ip_forward=1
ip -n $s route add default via 10.2.0.1

ip netns exec $s python3 - <<'PY' &
import socket
listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("0.0.0.0", 8080)); listener.listen(16)
while True:
    conn, _ = listener.accept()
    conn.recv(1024); conn.sendall(b"200 OK internal service\r\n"); conn.close()
PY
server=$!
pids+=($server)
sleep 0.5
capture "host@eth0" $h eth0
capture "host@eth1" $h eth1
capture "server" $s eth0
capture_start
connect() {
  ip netns exec $h python3 - <<'PY' || true
import socket
s = socket.socket(); s.settimeout(4)
try:
    s.connect(("10.2.0.5", 8080)); s.sendall(b"HELLO\r\n"); print("  host -> 10.2.0.5:8080:", s.recv(1024).decode().strip())
except Exception as e:
    print(f"  host -> 10.2.0.5:8080: {type(e).__name__}: {e}")
finally:
    s.close()
PY
}
# The server's capture starts with a packet of its own, so a replay knows its sensor was watching from the start.
ip netns exec $s ping -q -c 1 10.2.0.1 >/dev/null
ip -n $h route get 10.2.0.5 | head -1 | sed 's/^/  route: /'
connect
sleep 3  # the unanswered SYNs get the time in which an answer would have come
ip netns exec $h ping -q -c 2 -i 0.3 10.1.0.1 >/dev/null && echo "  host reaches its internal gateway 10.1.0.1 on eth1"
echo "  adding the missing route"
ip -n $h route add 10.2.0.0/16 via 10.1.0.1
ip -n $h route get 10.2.0.5 | head -1 | sed 's/^/  route: /'
connect
sleep 1
kill "$server"  # background jobs of a script ignore SIGINT
capture_stop
