#!/usr/bin/env bash
# Records seed case 8 into this folder: two hosts on a LAN use router r1 as their default gateway; the destination
# network 10.9.0.0/24 is behind r2 on the same LAN, so r1 forwards their packets back out of the interface they
# came in on and sends ICMP redirects ("use 10.8.0.2"). host ignores redirects (accept_redirects=0) and keeps
# sending through r1, which loses some of what it forwards (an iptables random drop stands for the overloaded old
# path); host2 accepts them and moves to r2. host, host2 and the destination server capture their eth0.
# Needs root, iproute2, iptables (statistic match), iputils-ping, tcpdump.
# Usage: deploy/samples/08-redirect-ignored/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${WW_CAPTURE_DIR:-$here}
. "$here/../../lib/capture.sh"
. "$here/../../lib/namespaces.sh"
lan=ww8-lan; h=ww8-host; h2=ww8-host2; r1=ww8-r1; r2=ww8-r2; d=ww8-server
namespaces $lan $h $h2 $r1 $r2 $d
ip -n $lan link add br0 type bridge; ip -n $lan link set br0 up
on_lan() { # namespace, bridge port, MAC, address
  ip link add ww8-tmp netns "$1" type veth peer name "$2" netns $lan
  ip -n "$1" link set ww8-tmp name eth0
  ip -n "$1" link set eth0 address "$3"
  ip -n "$1" addr add "$4/24" dev eth0; ip -n "$1" link set eth0 up
  ip -n $lan link set "$2" master br0; ip -n $lan link set "$2" up
}
on_lan $h port-host 02:00:00:00:08:10 10.8.0.10
on_lan $h2 port-host2 02:00:00:00:08:11 10.8.0.11
on_lan $r1 port-r1 02:00:00:00:08:01 10.8.0.1
on_lan $r2 port-r2 02:00:00:00:08:02 10.8.0.2
ip link add ww8-d netns $d type veth peer name ww8-r2d netns $r2
ip -n $d link set ww8-d name eth0; ip -n $d link set eth0 address 02:00:00:00:09:20
ip -n $d addr add 10.9.0.20/24 dev eth0; ip -n $d link set eth0 up
ip -n $r2 link set ww8-r2d name eth1; ip -n $r2 addr add 10.9.0.1/24 dev eth1; ip -n $r2 link set eth1 up
ip -n $d route add default via 10.9.0.1
for host in $h $h2; do ip -n $host route add default via 10.8.0.1; done
ip netns exec $r1 sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=1 net.ipv4.conf.eth0.send_redirects=1
ip -n $r1 route add 10.9.0.0/24 via 10.8.0.2
ip netns exec $r1 iptables -A FORWARD -m statistic --mode random --probability 0.3 -j DROP
ip netns exec $r2 sysctl -qw net.ipv4.ip_forward=1
ip netns exec $h sysctl -qw net.ipv4.conf.all.accept_redirects=0 net.ipv4.conf.eth0.accept_redirects=0
ip netns exec $h2 sysctl -qw net.ipv4.conf.all.accept_redirects=1 net.ipv4.conf.eth0.accept_redirects=1

for host in host host2 server; do
  capture "$host" ww8-$host eth0
done
capture_start
echo "  host (accept_redirects=0) and host2 (accept_redirects=1) ping 10.9.0.20 through r1"
{ ip netns exec $h ping -c 30 -i 0.3 -W 1 10.9.0.20 || true; } | tail -2 | head -1 | sed 's/^/  host:  /' &
pinging=$!
{ ip netns exec $h2 ping -c 30 -i 0.3 -W 1 10.9.0.20 || true; } | tail -2 | head -1 | sed 's/^/  host2: /'
wait $pinging
ip -n $h route get 10.9.0.20 | head -1 | sed 's/^/  host route now:  /'
ip -n $h2 route get 10.9.0.20 | head -1 | sed 's/^/  host2 route now: /'
sleep 1
capture_stop
