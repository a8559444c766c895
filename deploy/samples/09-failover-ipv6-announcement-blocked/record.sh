#!/usr/bin/env bash
# Records the IPv6 failover case into this folder: an HA pair (node1, node2) shares 2001:db8:7::100 on a bridged LAN
# with a client (peer). node1 holds the address; the peer uses it. Then the address fails over to node2, whose kernel
# announces it with an unsolicited Neighbor Advertisement (override flag, to ff02::1: net.ipv6.conf.*.ndisc_notify=1
# sends one when duplicate address detection completes), but a bridge filter on the peer's port drops node2's
# unsolicited advertisements: the peer keeps sending to node1's MAC until neighbour unreachability detection gives
# up on it and it asks again. Last, a third host (intruder) adds the same address: node2 defends it and the
# intruder's duplicate address detection fails (`ip -6 addr` shows dadfailed).
# WW9_BLOCK=0 leaves the filter and the intruder out (the lab's healthy twin): the peer follows the announcement at
# once, and nothing else claims the address.
# Every host captures its own eth0; the bridge is not monitored.
# Needs root, iproute2, nftables (bridge family), iputils-ping, tcpdump.
# Usage: deploy/samples/09-failover-ipv6-announcement-blocked/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${WW_CAPTURE_DIR:-$here}
. "$here/../../lib/capture.sh"
. "$here/../../lib/namespaces.sh"
n1=ww9-node1; n2=ww9-node2; p=ww9-peer; x=ww9-intruder; br=ww9-bridge
vip=2001:db8:7::100
block=${WW9_BLOCK:-1}
namespaces --ipv6 $n1 $n2 $p $x $br
# No multicast snooping: the bridge floods neighbour discovery as a plain switch would.
ip -n $br link add br0 type bridge mcast_snooping 0; ip -n $br link set br0 up
port() { # namespace, port name on the bridge, MAC, address
  ip link add ww9-tmp netns "$1" type veth peer name "$2" netns $br
  ip -n "$1" link set ww9-tmp name eth0
  ip -n "$1" link set eth0 address "$3"
  ip netns exec "$1" sysctl -qw net.ipv6.conf.eth0.ndisc_notify=1 net.ipv6.conf.eth0.accept_ra=0
  ip -n "$1" addr add "$4/64" dev eth0 nodad; ip -n "$1" link set eth0 up
  ip -n $br link set "$2" master br0; ip -n $br link set "$2" up
}
port $n1 port-node1 02:00:00:00:09:01 2001:db8:7::11
port $n2 port-node2 02:00:00:00:09:02 2001:db8:7::12
port $p port-peer 02:00:00:00:09:20 2001:db8:7::20
port $x port-intruder 02:00:00:00:09:30 2001:db8:7::30
# The peer re-checks a neighbour within seconds instead of the default 15-45 s, to keep the recording short.
ip netns exec $p sysctl -qw net.ipv6.neigh.eth0.base_reachable_time_ms=3000 net.ipv6.neigh.eth0.delay_first_probe_time=1
# Link-local addresses finish their duplicate address detection before the captures start.
sleep 2

for host in node1 node2 peer intruder; do
  capture "$host" ww9-$host eth0
done
capture_start

echo "  node1 holds $vip (its kernel announces it when duplicate address detection completes)"
ip -n $n1 addr add $vip/64 dev eth0
until ip -n $n1 -6 addr show dev eth0 | grep -q "$vip/64 scope global *$"; do sleep 0.2; done
ip netns exec $p ping -6 -q -c 3 -i 0.5 $vip >/dev/null && echo "  peer reaches $vip (node1)"

if [ "$block" = 1 ]; then
  echo "  the bridge drops node2's unsolicited neighbour advertisements towards the peer"
  ip netns exec $br nft -f - <<NFT
table bridge ww9 {
  chain forward {
    type filter hook forward priority 0; policy accept;
    oifname "port-peer" ether saddr 02:00:00:00:09:02 ip6 daddr ff02::1 icmpv6 type nd-neighbor-advert drop
  }
}
NFT
fi
echo "  failover: node1 gives $vip up, node2 takes it"
ip -n $n1 addr del $vip/64 dev eth0
ip -n $n2 addr add $vip/64 dev eth0
until ip -n $n2 -6 addr show dev eth0 | grep -q "$vip/64 scope global *$"; do sleep 0.2; done
# Blocked, the peer still has node1's MAC: its pings go there and are lost until the entry fails and it asks again.
{ ip netns exec $p ping -6 -c 20 -i 0.5 -W 1 $vip || true; } | tail -2 | head -1 | sed 's/^/  peer: /'
ip -n $p -6 neigh show $vip | sed 's/^/  peer neighbour entry now: /'
if [ "$block" = 1 ]; then
  sleep 11 # past the change window, so the conflict below is judged on its own
  echo "  intruder adds $vip too: node2 defends it"
  ip -n $x addr add $vip/64 dev eth0
  sleep 3
  ip -n $x -6 addr show dev eth0 | grep -o "$vip.*" | sed 's/^/  intruder: /'
fi
sleep 1
capture_stop
