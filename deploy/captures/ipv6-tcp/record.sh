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

# 443 and 8080 answer one line per connection; 5000 keeps one session per user (deploy/lib/sessions.py).
ip netns exec $s python3 "$here/../../lib/sessions.py" serve 443=line 8080=line 5000=session &
pids+=($!)
sleep 0.5
capture client $c eth0
capture server $s eth0
capture_start
ip netns exec $c python3 - "$here/../../lib" <<'PY'
import socket, sys, threading, time
sys.path.insert(0, sys.argv[1])
from sessions import session, login_again
SERVER, CLIENT = "2001:db8:113::20", "2001:db8:100::10"
def connect(port, timeout):
    s = socket.socket(socket.AF_INET6); s.settimeout(timeout)
    try:
        s.connect((SERVER, port)); s.sendall(b"HELLO\r\n"); s.recv(1024); print(f"  -> :{port} answered")
    except OSError as e:
        print(f"  -> :{port} {type(e).__name__}: {e}")
    finally:
        s.close()
def bob():  # keep-alive every 2 s, below the router's timeout: his idle session survives
    session(SERVER, CLIENT, 41001, "bob", 2, 22.0)
def alice():  # idles 8 s, past the router's 5 s, then logs in again
    session(SERVER, CLIENT, 41000, "alice")
    login_again(SERVER, "alice")
users = [threading.Thread(target=alice), threading.Thread(target=bob)]
for user in users: user.start()
connect(443, 3)
connect(8080, 6)
for _ in range(3):
    connect(8081, 3); time.sleep(0.5)
for user in users: user.join()
connect(443, 3)
PY
sleep 1
capture_stop
