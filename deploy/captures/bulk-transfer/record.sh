#!/usr/bin/env bash
# Records bulk-transfer/client.pcap: real Linux TCP between two network namespaces, captured headers-only
# (snaplen 128) on the client's veth. Steady bulk traffic is what --mode control summarises, so this is the
# capture behind the records-per-packet figure in BENCHMARKS.md and one input of EmissionModesAgreeTest:
#   - 4 parallel 4 MiB uploads with 0.5 % of segments dropped at the server (iptables statistic): retransmissions, SACKs;
#   - a receiver that stops reading for 2 s: zero windows and window updates;
#   - a connection with TCP keep-alive (idle 1 s) that sits idle for 4 s: keep-alive probes and their ACKs;
#   - a connection that pauses 3 s mid-transfer and resumes.
# Needs root, iproute2, iptables, ethtool (segmentation offloads off, so the capture shows wire-size segments), tcpdump, python3. Usage: deploy/captures/bulk-transfer/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
c=wwbulk-c; s=wwbulk-s
cleanup() { ip netns del $c 2>/dev/null || true; ip netns del $s 2>/dev/null || true; }
trap cleanup EXIT
cleanup
ip netns add $c; ip netns add $s
ip link add wwbulk0 netns $c type veth peer name wwbulk1 netns $s
ip -n $c addr add 10.232.0.1/24 dev wwbulk0; ip -n $s addr add 10.232.0.2/24 dev wwbulk1
ip -n $c link set lo up; ip -n $s link set lo up
ip -n $c link set wwbulk0 up; ip -n $s link set wwbulk1 up
# No netem on every kernel: lose 0.5 % of what reaches the server with iptables instead, for real retransmissions.
ip netns exec $s iptables -A INPUT -p tcp --dport 5001 -m statistic --mode random --probability 0.005 -j DROP
ip netns exec $c ethtool -K wwbulk0 tso off gso off gro off >/dev/null
ip netns exec $s ethtool -K wwbulk1 tso off gso off gro off >/dev/null

ip netns exec $s python3 - <<'PY' &
import socket, threading, time
def serve(port, handler):
    listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if port == 5002:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    listener.bind(('10.232.0.2', port)); listener.listen(16)
    def loop():
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=handler, args=(conn,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()
def drain(conn):
    while conn.recv(65536):
        pass
    conn.close()
def slow(conn):
    time.sleep(2)
    drain(conn)
serve(5001, drain); serve(5002, slow)
time.sleep(40)
PY
server=$!
sleep 1
ip netns exec $c tcpdump -i wwbulk0 -s 128 -w "$here/client.pcap" -U 'tcp' 2>/dev/null &
dump=$!
sleep 1
ip netns exec $c python3 - <<'PY'
import socket, threading, time
def upload(size, port=5001, pause=0):
    s = socket.create_connection(('10.232.0.2', port)); chunk = b'x' * 65536; sent = 0
    while sent < size:
        s.sendall(chunk); sent += len(chunk)
        if pause and sent >= size // 2:
            time.sleep(pause); pause = 0
    s.close()
def keepalive():
    s = socket.create_connection(('10.232.0.2', 5001))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    s.sendall(b'hello'); time.sleep(4.5); s.close()
threads = [threading.Thread(target=upload, args=(4 << 20,)) for _ in range(4)]
threads.append(threading.Thread(target=upload, args=(2 << 20, 5002)))
threads.append(threading.Thread(target=upload, args=(1 << 20, 5001, 3)))
threads.append(threading.Thread(target=keepalive))
for t in threads: t.start()
for t in threads: t.join()
PY
sleep 1
kill $dump; wait $dump 2>/dev/null || true
kill $server 2>/dev/null || true
echo "recorded $here/client.pcap: $(tcpdump -r "$here/client.pcap" 2>/dev/null | wc -l) packets"
