#!/usr/bin/env bash
# Records seed case 7 into this folder: an HA pair (node1, node2) shares 192.0.2.100 on a bridged LAN with a
# client (peer). node1 holds the address and announces it; the peer uses it. Then the address fails over to node2,
# which announces it with gratuitous ARP (arping -U), but a bridge filter on the peer's port drops node2's
# gratuitous ARP: the peer keeps sending to node1's MAC until its neighbour entry goes stale and it asks again.
# Every host captures its own eth0; the bridge is not monitored.
# Needs root, iproute2, nftables (bridge family), iputils-arping, tcpdump.
# Usage: deploy/samples/07-failover-announcement-blocked/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${WW_CAPTURE_DIR:-$here}
. "$here/../../lib/capture.sh"
. "$here/../../lib/namespaces.sh"
n1=ww7-node1; n2=ww7-node2; p=ww7-peer; br=ww7-bridge
vip=192.0.2.100
namespaces $n1 $n2 $p $br
ip -n $br link add br0 type bridge; ip -n $br link set br0 up
port() { # namespace, port name on the bridge, MAC, address
  ip link add ww7-tmp netns "$1" type veth peer name "$2" netns $br
  ip -n "$1" link set ww7-tmp name eth0
  ip -n "$1" link set eth0 address "$3"
  ip -n "$1" addr add "$4/24" dev eth0; ip -n "$1" link set eth0 up
  ip -n $br link set "$2" master br0; ip -n $br link set "$2" up
}
port $n1 port-node1 02:00:00:00:07:01 192.0.2.11
port $n2 port-node2 02:00:00:00:07:02 192.0.2.12
port $p port-peer 02:00:00:00:07:20 192.0.2.20
# The peer re-checks a neighbour within seconds instead of the default 15-45 s, to keep the recording short.
ip netns exec $p sysctl -qw net.ipv4.neigh.eth0.base_reachable_time_ms=3000 net.ipv4.neigh.eth0.delay_first_probe_time=1

for host in node1 node2 peer; do
  capture "$host" ww7-$host eth0
done
capture_start

echo "  node1 holds $vip and announces it"
ip -n $n1 addr add $vip/24 dev eth0
ip netns exec $n1 arping -q -U -c 2 -I eth0 $vip || true
ip netns exec $p ping -q -c 3 -i 0.5 $vip >/dev/null && echo "  peer reaches $vip (node1)"

echo "  failover: node1 gives $vip up, node2 takes it; the bridge drops node2's gratuitous ARP towards the peer"
ip netns exec $br nft -f - <<NFT
table bridge ww7 {
  chain forward {
    type filter hook forward priority 0; policy accept;
    oifname "port-peer" ether saddr 02:00:00:00:07:02 arp saddr ip $vip arp daddr ip $vip drop
  }
}
NFT
ip -n $n1 addr del $vip/24 dev eth0
ip -n $n2 addr add $vip/24 dev eth0
ip netns exec $n2 arping -q -U -c 3 -I eth0 $vip || true
# The peer still has node1's MAC: its pings go there and are lost until the entry goes stale and it asks again.
{ ip netns exec $p ping -c 30 -i 0.5 -W 1 $vip || true; } | tail -2 | head -1 | sed 's/^/  peer: /'
ip -n $p neigh show $vip | sed 's/^/  peer neighbour entry now: /'
sleep 1
capture_stop
