#!/usr/bin/env bash
# Records case 10 into this folder: a keepalived VRRP pair (node1 master, priority 150; node2 backup, 100) shares
# 192.0.2.100 (vrid 10, VRRPv2) and 2001:db8:10::100 (vrid 11, VRRPv3) on a bridged LAN with a client (peer). After a
# healthy start, an nftables rule on the bridge drops node1's VRRP multicast towards node2 only: node2 stops hearing
# the master, declares it down after 3 intervals and becomes master too, while node1 still advertises: split brain.
# WW_VRRP_FAULT=none records the healthy twin instead: no rule, node1's keepalived stops (it resigns with priority 0)
# and node2 takes over: a clean failover.
# Every host captures its own eth0; the bridge is not monitored. keepalived (Debian package) runs in the foreground
# in each namespace with its own config and pid files (no systemd).
# Needs root, iproute2, nftables (bridge family), keepalived, tcpdump.
# Usage: deploy/samples/10-vrrp-advertisements-blocked/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${WW_CAPTURE_DIR:-$here}
fault=${WW_VRRP_FAULT:-block}
. "$here/../../lib/capture.sh"
. "$here/../../lib/namespaces.sh"
n1=ww10-node1; n2=ww10-node2; p=ww10-peer; br=ww10-bridge
run=$(mktemp -d /tmp/ww10-vrrp.XXXXXX)
namespaces --ipv6 $n1 $n2 $p $br
ip -n $br link add br0 type bridge; ip -n $br link set br0 up
port() { # namespace, port name on the bridge, MAC, IPv4 address, IPv6 address
  ip link add ww10-tmp netns "$1" type veth peer name "$2" netns $br
  ip -n "$1" link set ww10-tmp name eth0
  ip -n "$1" link set eth0 address "$3"
  ip -n "$1" addr add "$4/24" dev eth0; ip -n "$1" addr add "$5/64" dev eth0 nodad; ip -n "$1" link set eth0 up
  ip -n $br link set "$2" master br0; ip -n $br link set "$2" up
}
port $n1 port-node1 02:00:00:00:10:01 192.0.2.11 2001:db8:10::11
port $n2 port-node2 02:00:00:00:10:02 192.0.2.12 2001:db8:10::12
port $p port-peer 02:00:00:00:10:20 192.0.2.20 2001:db8:10::20

keepalived_start() { # NAMESPACE NAME STATE PRIORITY
  cat > "$run/$2.conf" <<CONF
global_defs { router_id $2 }
vrrp_instance v4 {
  state $3
  interface eth0
  virtual_router_id 10
  priority $4
  advert_int 1
  virtual_ipaddress {
    192.0.2.100/24
  }
}
vrrp_instance v6 {
  version 3
  state $3
  interface eth0
  virtual_router_id 11
  priority $4
  advert_int 1
  virtual_ipaddress {
    2001:db8:10::100/64
  }
}
CONF
  ip netns exec "$1" keepalived -n -l -P -f "$run/$2.conf" -p "$run/$2.pid" -r "$run/$2-vrrp.pid" >"$run/$2.log" 2>&1 &
  pids+=($!)
  eval "keepalived_$2=$!"
}

for host in node1 node2 peer; do
  capture "$host" ww10-$host eth0
done
capture_start

echo "  node1 (master) and node2 (backup) run keepalived for 192.0.2.100 (vrid 10) and 2001:db8:10::100 (vrid 11)"
keepalived_start $n1 node1 MASTER 150
keepalived_start $n2 node2 BACKUP 100
sleep 6
if [ "$fault" = block ]; then
  echo "  the bridge drops node1's VRRP multicast towards node2: node2 will take over while node1 still advertises"
  ip netns exec $br nft -f - <<NFT
table bridge ww10 {
  chain forward {
    type filter hook forward priority 0; policy accept;
    iifname "port-node1" oifname "port-node2" ip protocol vrrp drop
    iifname "port-node1" oifname "port-node2" ip6 nexthdr vrrp drop
  }
}
NFT
else
  echo "  healthy failover: node1's keepalived stops (priority 0), node2 takes over"
  kill -TERM "$keepalived_node1"; wait "$keepalived_node1" 2>/dev/null || true
fi
sleep 10
grep -h "Entering\|became\|transition" "$run"/node*.log | sed 's/^/  keepalived: /' | tail -8 || true
capture_stop
rm -rf "$run"
