#!/usr/bin/env bash
# The lab's healthy network: a client reaches a web server through a router; the web server queries a database on
# its LAN (a bridge in the router). Busy, ordinary traffic for ~20 s: many short connections, a long-lived one with
# keep-alives, pings, ARP. Every host is monitored except the router; nothing of severity warning or above may fire.
# Needs root, iproute2, tcpdump, iputils-ping, python3. Usage: deploy/lab/healthy.sh (captures into this folder's
# run directory, or $WW_CAPTURE_DIR).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${WW_CAPTURE_DIR:-$(mktemp -d /tmp/wirewatch-healthy-XXXXXX)}
. "$here/../lib/capture.sh"
. "$here/../lib/namespaces.sh"
c=wwh-client; r=wwh-router; w=wwh-web; d=wwh-db
namespaces $c $r $w $d
ip link add wwh-c netns $c type veth peer name wwh-rc netns $r
ip -n $c link set wwh-c name eth0; ip -n $c link set eth0 address 02:00:00:00:09:0a
ip -n $r link set wwh-rc name eth0
ip -n $r link add br0 type bridge
for host in web db; do
  ip link add wwh-$host netns "wwh-$host" type veth peer name wwh-r$host netns $r
done
ip -n $w link set wwh-web name eth0; ip -n $w link set eth0 address 02:00:00:00:09:14
ip -n $d link set wwh-db name eth0; ip -n $d link set eth0 address 02:00:00:00:09:1e
for port in wwh-rweb wwh-rdb; do ip -n $r link set $port master br0; ip -n $r link set $port up; done
ip -n $r addr add 198.51.100.1/24 dev eth0; ip -n $r link set eth0 up
ip -n $r addr add 203.0.113.1/24 dev br0; ip -n $r link set br0 up
ip netns exec $r sysctl -qw net.ipv4.ip_forward=1
ip -n $c addr add 198.51.100.10/24 dev eth0; ip -n $c link set eth0 up; ip -n $c route add default via 198.51.100.1
ip -n $w addr add 203.0.113.20/24 dev eth0; ip -n $w link set eth0 up; ip -n $w route add default via 203.0.113.1
ip -n $d addr add 203.0.113.30/24 dev eth0; ip -n $d link set eth0 up; ip -n $d route add default via 203.0.113.1

service() { # NAMESPACE PORT: answers every line, keeps the connection until the client closes it
  ip netns exec "$1" python3 - "$2" <<'PY' &
import socket, sys, threading
def handle(conn):
    with conn:
        for line in conn.makefile("rb"):
            conn.sendall(b"OK " + line)
listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("0.0.0.0", int(sys.argv[1]))); listener.listen(128)
while True:
    conn, _ = listener.accept()
    threading.Thread(target=handle, args=(conn,), daemon=True).start()
PY
  pids+=($!)
}
service $w 80
service $d 5432
sleep 0.5

capture client $c eth0
capture web $w eth0
capture db $d eth0
capture_start

clients() { # NAMESPACE HOST PORT CONNECTIONS: short request/response connections, a few at a time
  ip netns exec "$1" python3 - "$2" "$3" "$4" <<'PY'
import socket, sys, threading, time
host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def one(i):
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(b"GET /%d\n" % i); s.recv(100)
for i in range(count):
    threads = [threading.Thread(target=one, args=(i * 4 + j,)) for j in range(4)]
    for t in threads: t.start()
    for t in threads: t.join()
    time.sleep(0.05)
print(f"  {count * 4} connections to {host}:{port}")
PY
}
keepalive() { # a long-lived session with keep-alives every 2 s and a request every 5 s
  ip netns exec $c python3 - <<'PY'
import socket, time
s = socket.create_connection(("203.0.113.20", 80), timeout=5)
s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 2); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
for i in range(4):
    s.sendall(b"PING\n"); s.recv(100); time.sleep(5)
s.close()
print("  a long-lived session with keep-alives ended normally")
PY
}
keepalive & talk=$!
clients $c 203.0.113.20 80 60 &
first=$!
clients $w 203.0.113.30 5432 60
wait $first
ip netns exec $c ping -q -c 5 -i 0.2 203.0.113.30 >/dev/null && echo "  client pings db"
ip netns exec $d ping -q -c 5 -i 0.2 203.0.113.20 >/dev/null && echo "  db pings web"
wait $talk
sleep 2
capture_stop
