#!/usr/bin/env bash
# Records seed case 2 into this folder: clients reach a server on its public NIC (eth0 198.51.100.20), but the
# server-side capture runs on its internal NIC (eth1 10.0.0.5, towards a backend 10.0.0.9), so it shows the backend
# traffic and none of the clients': the two sides' captures cannot be matched. Client and server capture as an
# operator would: the client on its eth0, the server on eth1 (server@eth1.pcap).
# Needs root, iproute2, tcpdump, iputils-ping, python3.
# Usage: deploy/samples/02-wrong-interface/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${WW_CAPTURE_DIR:-$here}
. "$here/../../lib/capture.sh"
. "$here/../../lib/namespaces.sh"
c=ww2-client; s=ww2-server; b=ww2-backend
namespaces $c $s $b
link() { # namespace A, its interface, address/prefix, namespace B, its interface, address/prefix
  ip link add ww2-a netns "$1" type veth peer name ww2-b netns "$4"
  ip -n "$1" link set ww2-a name "$2"; ip -n "$4" link set ww2-b name "$5"
  ip -n "$1" addr add "$3" dev "$2"; ip -n "$4" addr add "$6" dev "$5"
  ip -n "$1" link set "$2" up; ip -n "$4" link set "$5" up
}
link $c eth0 198.51.100.9/24 $s eth0 198.51.100.20/24
link $s eth1 10.0.0.5/24 $b eth0 10.0.0.9/24

ip netns exec $s python3 - <<'PY' &
import socket
listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("0.0.0.0", 443)); listener.listen(16)
while True:
    conn, _ = listener.accept()
    conn.recv(1024); conn.sendall(b"200 OK public service\r\n"); conn.close()
PY
server=$!
pids+=($server)
sleep 0.5
capture "client" $c eth0
capture "server@eth1" $s eth1
capture_start
# The server talks to its backend all along: its capture is busy, just not with the clients.
ip netns exec $s ping -q -c 16 -i 0.5 10.0.0.9 >/dev/null &
backend=$!
for i in 1 2 3; do
  ip netns exec $c python3 - <<'PY' || true
import socket
s = socket.socket(); s.settimeout(3)
s.connect(("198.51.100.20", 443)); s.sendall(b"HELLO\r\n"); print("  client -> 198.51.100.20:443:", s.recv(1024).decode().strip())
s.close()
PY
  sleep 1
done
wait $backend || true
sleep 1
kill "$server"  # background jobs of a script ignore SIGINT
capture_stop
