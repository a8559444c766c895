#!/usr/bin/env bash
# Records seed case 6 into this folder: a router between client and server forgets idle sessions (conntrack with
# a 5 s established timeout, nf_conntrack_tcp_loose=0, INVALID dropped), so the first packet after a longer idle
# is dropped silently. Four sessions of one client to a service that allows one session per user:
#   alice idles 8 s, her next command is lost, the client aborts (RST, lost too) and logs in again: refused,
#         "user already logged in" -- the server still holds the old session;
#   bob   has TCP keep-alive every 2 s (below the router's timeout) and idles 22 s: healthy;
#   carol has keep-alive after 7 s (above it): three probes unanswered, then the kernel resets the connection;
#   dave  is answered by a RST that the router forges (REJECT --reject-with tcp-reset) for his next command.
# Needs root, iproute2, iptables (conntrack and string matches), tcpdump, python3.
# Usage: deploy/samples/06-idle-session-dropped/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${WW_CAPTURE_DIR:-$here}
. "$here/../../lib/capture.sh"
. "$here/../../lib/namespaces.sh"
c=wwrec6-client; r=wwrec6-router; s=wwrec6-server
namespaces $c $r $s
ip link add wwrec6-c netns $c type veth peer name wwrec6-rc netns $r
ip link add wwrec6-s netns $s type veth peer name wwrec6-rs netns $r
ip -n $c link set wwrec6-c name eth0; ip -n $s link set wwrec6-s name eth0
ip -n $r link set wwrec6-rc name eth0; ip -n $r link set wwrec6-rs name eth1
ip -n $c link set eth0 address 02:00:00:00:06:0a; ip -n $s link set eth0 address 02:00:00:00:06:14
ip -n $c addr add 198.51.100.10/24 dev eth0; ip -n $c link set eth0 up
ip -n $r addr add 198.51.100.1/24 dev eth0; ip -n $r link set eth0 up
ip -n $r addr add 203.0.113.1/24 dev eth1; ip -n $r link set eth1 up
ip -n $s addr add 203.0.113.20/24 dev eth0; ip -n $s link set eth0 up
ip -n $c route add default via 198.51.100.1
ip -n $s route add default via 203.0.113.1
ip netns exec $r sysctl -qw net.ipv4.ip_forward=1
ip netns exec $r iptables -A FORWARD -m conntrack --ctstate INVALID -j DROP
ip netns exec $r sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_established=5 net.netfilter.nf_conntrack_tcp_loose=0
# And a rule that answers one client's command with a forged RST, as a firewall's REJECT does.
ip netns exec $r iptables -I FORWARD -p tcp --sport 41003 -m string --string PING --algo bm -j REJECT --reject-with tcp-reset

# The service keeps one session per user: a second LOGIN while the first session is open is refused.
ip netns exec $s python3 - <<'PY' &
import socket, threading
sessions = set()
lock = threading.Lock()
def handle(conn):
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
            else:
                conn.sendall(b"OK\r\n")
    except OSError:
        pass
    finally:
        conn.close()   # a session ends only when its connection does
        with lock:
            sessions.discard(user)
listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("0.0.0.0", 5000)); listener.listen(16)
while True:
    conn, _ = listener.accept()
    threading.Thread(target=handle, args=(conn,), daemon=True).start()
PY
pids+=($!)
sleep 0.5
capture "client" $c eth0
capture "server" $s eth0
capture_start
ip netns exec $c python3 - <<'PY'
import socket, struct, threading, time
def session(user, port, keepalive_idle=None, idle=8.0):
    s = socket.socket(); s.bind(("198.51.100.10", port))
    if keepalive_idle:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, keepalive_idle)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
    s.connect(("203.0.113.20", 5000)); s.sendall(f"LOGIN {user}\r\n".encode())
    print(f"  {user}: login {s.recv(100).decode().strip()}")
    time.sleep(idle)
    s.settimeout(4)
    try:
        s.sendall(b"PING\r\n"); print(f"  {user}: after idle {s.recv(100).decode().strip() or 'closed'}")
    except OSError as e:
        print(f"  {user}: after idle {type(e).__name__}; giving up")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # abort: RST
    s.close()
def login_again(user):
    s = socket.socket(); s.settimeout(3); s.connect(("203.0.113.20", 5000)); s.sendall(f"LOGIN {user}\r\n".encode())
    print(f"  {user}: login again: {s.recv(100).decode().strip()}"); s.close()
threads = [threading.Thread(target=session, args=("alice", 41000)),                  # idles past the router's timeout
           threading.Thread(target=session, args=("bob", 41001, 2, 22.0)),           # keep-alive below it: survives
           threading.Thread(target=session, args=("carol", 41002, 7, 12.0)),         # keep-alive above it: probes lost
           threading.Thread(target=session, args=("dave", 41003, None, 2.0))]        # the router resets it
for t in threads: t.start()
for t in threads: t.join()
login_again("alice")
PY
sleep 1
capture_stop
