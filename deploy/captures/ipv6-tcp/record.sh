#!/usr/bin/env bash
# Records the TCP seed cases 1, 3 and 6 on IPv6 into this folder: a client (2001:db8:100::10) reaches a server
# (2001:db8:113::20) through a router; client and server each capture their eth0.
#   8080: the server's host firewall (nftables) drops SYNs: unanswered, as in seed case 1 (443 answers);
#   8081: nothing listens: the server's kernel answers each SYN with a RST, as in seed case 3;
#   5000: a service with one session per user behind a router that forgets idle sessions (conntrack, 5 s
#         established timeout, invalid packets dropped), as in seed case 6: alice idles 8 s, her next command and the
#         client's abort are lost, and her new login is refused while the server still holds the old session; bob's
#         keep-alive (every 2 s) keeps his idle session alive.
# Needs root, iproute2, nftables, tcpdump, python3.
# Usage: deploy/captures/ipv6-tcp/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${WW_CAPTURE_DIR:-$here}
. "$here/../../lib/capture.sh"
. "$here/../../lib/namespaces.sh"
c=ww12-client; r=ww12-router; s=ww12-server
namespaces --ipv6 $c $r $s
ip link add ww12-c netns $c type veth peer name ww12-rc netns $r
ip link add ww12-s netns $s type veth peer name ww12-rs netns $r
ip -n $c link set ww12-c name eth0; ip -n $s link set ww12-s name eth0
ip -n $r link set ww12-rc name eth0; ip -n $r link set ww12-rs name eth1
ip -n $c link set eth0 address 02:00:00:00:12:0a; ip -n $s link set eth0 address 02:00:00:00:12:14
ip -n $c addr add 2001:db8:100::10/64 dev eth0 nodad; ip -n $c link set eth0 up
ip -n $r addr add 2001:db8:100::1/64 dev eth0 nodad; ip -n $r link set eth0 up
ip -n $r addr add 2001:db8:113::1/64 dev eth1 nodad; ip -n $r link set eth1 up
ip -n $s addr add 2001:db8:113::20/64 dev eth0 nodad; ip -n $s link set eth0 up
ip -n $c route add default via 2001:db8:100::1
ip -n $s route add default via 2001:db8:113::1
ip netns exec $r sysctl -qw net.ipv6.conf.all.forwarding=1
ip netns exec $r nft -f - <<'NFT'
table inet ww12 {
  chain forward { type filter hook forward priority 0; ct state invalid drop; }
}
NFT
ip netns exec $r sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_established=5 net.netfilter.nf_conntrack_tcp_loose=0
ip netns exec $s nft -f - <<'NFT'
table inet ww12 {
  chain input { type filter hook input priority 0; tcp dport 8080 tcp flags & (syn | ack) == syn drop; }
}
NFT

# 443 and 8080 answer one line per connection; 5000 keeps one session per user (a second LOGIN while the first
# session is open is refused).
ip netns exec $s python3 - <<'PY' &
import socket, threading
sessions = set()
lock = threading.Lock()
def session(conn):
    user = None
    try:
        for line in conn.makefile("rb"):
            words = line.decode().split()
            if words[:1] == ["LOGIN"]:
                with lock:
                    if words[1] in sessions:
                        conn.sendall(b"ERR user already logged in\r\n"); break
                    sessions.add(words[1]); user = words[1]
            conn.sendall(b"OK\r\n")
    except OSError:
        pass
    finally:
        conn.close()   # a session ends only when its connection does
        with lock:
            sessions.discard(user)
def one_line(conn):
    conn.recv(1024); conn.sendall(b"200 OK wirewatch sample service\r\n"); conn.close()
def listen(port, handler):
    listener = socket.socket(socket.AF_INET6); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("::", port)); listener.listen(16)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=handler, args=(conn,), daemon=True).start()
for port, handler in ((443, one_line), (8080, one_line), (5000, session)):
    threading.Thread(target=listen, args=(port, handler), daemon=True).start()
threading.Event().wait()
PY
pids+=($!)
sleep 0.5
capture client $c eth0
capture server $s eth0
capture_start
ip netns exec $c python3 - <<'PY'
import socket, struct, threading, time
SERVER = "2001:db8:113::20"
def connect(port, timeout):
    s = socket.socket(socket.AF_INET6); s.settimeout(timeout)
    try:
        s.connect((SERVER, port)); s.sendall(b"HELLO\r\n"); s.recv(1024); print(f"  -> :{port} answered")
    except OSError as e:
        print(f"  -> :{port} {type(e).__name__}: {e}")
    finally:
        s.close()
def bob():  # keep-alive every 2 s, below the router's timeout: his idle session survives
    s = socket.socket(socket.AF_INET6); s.bind(("2001:db8:100::10", 41001))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 2)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    s.connect((SERVER, 5000)); s.sendall(b"LOGIN bob\r\n"); print(f"  bob: login {s.recv(100).decode().strip()}")
    time.sleep(22)
    s.sendall(b"PING\r\n"); print(f"  bob: after idle {s.recv(100).decode().strip() or 'closed'}"); s.close()
def alice():
    s = socket.socket(socket.AF_INET6); s.bind(("2001:db8:100::10", 41000))
    s.connect((SERVER, 5000)); s.sendall(b"LOGIN alice\r\n")
    print(f"  alice: login {s.recv(100).decode().strip()}")
    time.sleep(8)  # past the router's 5 s
    s.settimeout(4)
    try:
        s.sendall(b"PING\r\n"); print(f"  alice: after idle {s.recv(100).decode().strip() or 'closed'}")
    except OSError as e:
        print(f"  alice: after idle {type(e).__name__}; giving up")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # abort: RST
    s.close()
    s = socket.socket(socket.AF_INET6); s.settimeout(3); s.connect((SERVER, 5000)); s.sendall(b"LOGIN alice\r\n")
    print(f"  alice: login again: {s.recv(100).decode().strip()}"); s.close()
sessions = [threading.Thread(target=alice), threading.Thread(target=bob)]
for session in sessions: session.start()
connect(443, 3)
connect(8080, 6)
for _ in range(3):
    connect(8081, 3); time.sleep(0.5)
for session in sessions: session.join()
connect(443, 3)
PY
sleep 1
capture_stop
