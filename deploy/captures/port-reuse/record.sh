#!/usr/bin/env bash
# Records one client port reused: the client connects from 10.1.0.9:40000 to 10.1.0.5:8080 three times, 2 s apart,
# each connection answered and closed (the server closes first, so its side sits in TIME_WAIT and accepts the next
# SYN on the same addresses and ports, as Linux does). Both ends are captured, so the processor can be shown the
# server's records late (a sensor cut off from Kafka) while the client's port is reused within the wait.
# The sensors: the client's eth0 and the server's eth0. Needs root, iproute2, tcpdump, python3.
# Usage: deploy/captures/port-reuse/record.sh
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
c=wwreuse-client; s=wwreuse-server
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for ns in $c $s; do ip netns del $ns 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM
cleanup
for ns in $c $s; do
  ip netns add $ns; ip -n $ns link set lo up
  ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip link add wwreuse-a type veth peer name wwreuse-b
ip link set wwreuse-a netns $c; ip link set wwreuse-b netns $s
ip -n $c link set wwreuse-a name eth0; ip -n $c link set eth0 address 02:00:00:00:0b:09; ip -n $c link set eth0 up
ip -n $s link set wwreuse-b name eth0; ip -n $s link set eth0 address 02:00:00:00:0b:05; ip -n $s link set eth0 up
ip -n $c addr add 10.1.0.9/24 dev eth0
ip -n $s addr add 10.1.0.5/24 dev eth0

ip netns exec $s python3 - <<'PY' &
import socket
listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("0.0.0.0", 8080)); listener.listen(16)
while True:
    conn, _ = listener.accept()
    try:
        conn.recv(1024); conn.sendall(b"HTTP/1.0 200 OK\r\n\r\n")
    finally:
        conn.close()
PY
pids+=($!)
sleep 0.5
ip netns exec $c tcpdump -i eth0 -s 128 -U --immediate-mode -w "$out/client.pcap" 2>/dev/null & pids+=($!)
ip netns exec $s tcpdump -i eth0 -s 128 -U --immediate-mode -w "$out/server.pcap" 2>/dev/null & pids+=($!)
sleep 1
ip netns exec $c python3 - <<'PY'
import socket, time
for attempt in range(3):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.settimeout(4)
    s.bind(("10.1.0.9", 40000))
    s.connect(("10.1.0.5", 8080)); s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    while s.recv(100):
        pass
    s.close()
    print(f"  connection {attempt + 1} from port 40000: answered and closed")
    time.sleep(2)
PY
sleep 1
