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
ip netns exec $s python3 "$here/../../lib/sessions.py" serve 5000=session &
pids+=($!)
sleep 0.5
capture "client" $c eth0
capture "server" $s eth0
capture_start
ip netns exec $c python3 - "$here/../../lib" <<'PY'
import sys, threading
sys.path.insert(0, sys.argv[1])
from sessions import session, login_again
SERVER, CLIENT = "203.0.113.20", "198.51.100.10"
threads = [threading.Thread(target=session, args=(SERVER, CLIENT, 41000, "alice")),       # idles past the router's timeout
           threading.Thread(target=session, args=(SERVER, CLIENT, 41001, "bob", 2, 22.0)),   # keep-alive below it: survives
           threading.Thread(target=session, args=(SERVER, CLIENT, 41002, "carol", 7, 12.0)), # keep-alive above it: probes lost
           threading.Thread(target=session, args=(SERVER, CLIENT, 41003, "dave", None, 2.0))] # the router resets it
for t in threads: t.start()
for t in threads: t.join()
login_again(SERVER, "alice")
PY
sleep 1
capture_stop
