#!/usr/bin/env bash
# Records the IPv6 variant of seed case 8 into this folder: two hosts on the LAN 2001:db8:8::/64 use router r1
# (fe80::1) as their default gateway; the destination network 2001:db8:9::/64 is behind r2 (fe80::2) on the same
# LAN, so r1 forwards their pings back out of the interface they came in on and its kernel sends ICMPv6 redirects
# (type 137, target fe80::2). host ignores them (net.ipv6.conf.*.accept_redirects=0) and keeps sending through r1,
# which loses some of what it forwards (an nftables random drop stands for the overloaded old path); host2 accepts
# them and moves to r2. host, host2 and the destination server capture their eth0.
# WW_HOST_ACCEPTS_REDIRECTS=1: host accepts them too (the healthy twin: nothing to report).
# Needs root, iproute2, nftables, iputils-ping, tcpdump.
# Usage: deploy/samples/11-redirect-ignored-ipv6/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${WW_CAPTURE_DIR:-$here}
# A Linux ICMPv6 redirect quotes the packet after its target link-layer address option: the quoted ports end at
# byte 158 of the frame, past the default 128.
WW_SNAPLEN=192
WW_LAB_SENSOR_ARGS="${WW_LAB_SENSOR_ARGS:-} --snaplen 192"
. "$here/../../lib/capture.sh"
. "$here/../../lib/namespaces.sh"
lan=ww11-lan; h=ww11-host; h2=ww11-host2; r1=ww11-r1; r2=ww11-r2; d=ww11-server
namespaces --ipv6 $lan $h $h2 $r1 $r2 $d
ip -n $lan link add br0 type bridge; ip -n $lan link set br0 up
on_lan() { # namespace, bridge port, MAC, address
  ip link add ww11-tmp netns "$1" type veth peer name "$2" netns $lan
  ip -n "$1" link set ww11-tmp name eth0
  ip -n "$1" link set eth0 address "$3"
  ip -n "$1" addr add "$4/64" dev eth0 nodad; ip -n "$1" link set eth0 up
  ip -n $lan link set "$2" master br0; ip -n $lan link set "$2" up
}
# The routers' only link-local addresses are fe80::1 and fe80::2: the source of r1's redirects, the target it names.
router_on_lan() { # namespace, bridge port, MAC, address, link-local address
  ip link add ww11-tmp netns "$1" type veth peer name "$2" netns $lan
  ip -n "$1" link set ww11-tmp name eth0
  ip -n "$1" link set eth0 address "$3" addrgenmode none
  ip -n "$1" addr add "$4/64" dev eth0 nodad; ip -n "$1" addr add "$5/64" dev eth0 nodad
  ip -n "$1" link set eth0 up
  ip -n $lan link set "$2" master br0; ip -n $lan link set "$2" up
}
on_lan $h port-host 02:00:00:00:11:10 2001:db8:8::10
on_lan $h2 port-host2 02:00:00:00:11:11 2001:db8:8::11
router_on_lan $r1 port-r1 02:00:00:00:11:01 2001:db8:8::1 fe80::1
router_on_lan $r2 port-r2 02:00:00:00:11:02 2001:db8:8::2 fe80::2
ip link add ww11-d netns $d type veth peer name ww11-r2d netns $r2
ip -n $d link set ww11-d name eth0; ip -n $d link set eth0 address 02:00:00:00:11:20
ip -n $d addr add 2001:db8:9::20/64 dev eth0 nodad; ip -n $d link set eth0 up
ip -n $r2 link set ww11-r2d name eth1; ip -n $r2 addr add 2001:db8:9::1/64 dev eth1 nodad; ip -n $r2 link set eth1 up
ip -n $d route add default via 2001:db8:9::1
for host in $h $h2; do ip -n $host route add default via fe80::1 dev eth0; done
ip netns exec $r1 sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n $r1 route add 2001:db8:9::/64 via fe80::2 dev eth0
ip netns exec $r1 nft -f - <<'NFT'
table inet ww11 {
  chain forward { type filter hook forward priority 0; numgen random mod 10 < 3 drop; }
}
NFT
ip netns exec $r2 sysctl -qw net.ipv6.conf.all.forwarding=1
accepts=${WW_HOST_ACCEPTS_REDIRECTS:-0}
ip netns exec $h sysctl -qw net.ipv6.conf.all.accept_redirects=$accepts net.ipv6.conf.eth0.accept_redirects=$accepts
ip netns exec $h2 sysctl -qw net.ipv6.conf.all.accept_redirects=1 net.ipv6.conf.eth0.accept_redirects=1

for host in host host2 server; do
  capture "$host" ww11-$host eth0
done
capture_start
echo "  host (accept_redirects=$accepts) and host2 (accept_redirects=1) ping 2001:db8:9::20 through r1"
{ ip netns exec $h ping -6 -c 30 -i 0.3 -W 1 2001:db8:9::20 || true; } | tail -2 | head -1 | sed 's/^/  host:  /' &
pinging=$!
{ ip netns exec $h2 ping -6 -c 30 -i 0.3 -W 1 2001:db8:9::20 || true; } | tail -2 | head -1 | sed 's/^/  host2: /'
wait $pinging
ip -n $h -6 route get 2001:db8:9::20 | head -1 | sed 's/^/  host route now:  /'
ip -n $h2 -6 route get 2001:db8:9::20 | head -1 | sed 's/^/  host2 route now: /'
sleep 1
capture_stop
