#!/usr/bin/env bash
# Records real VRRP advertisements from keepalived (Debian package) into this folder: two namespaces on one veth
# link, each running keepalived in the foreground with its own config and pid files. Three virtual routers at once:
# vrid 51 VRRPv2 over IPv4 with simple-password authentication and a 1 s interval, vrid 52 VRRPv3 over IPv4 with a
# 0.5 s interval, vrid 53 VRRPv3 over IPv6 (link-local source, ff02::12). node1 (priority 150) is master; then its
# keepalived stops (priority-0 advertisements: resignation) and node2 (100) takes over and advertises.
# Capture: advertisements.pcap, node2's eth0, full frames. Needs root, iproute2, keepalived, tcpdump.
# Usage: deploy/captures/vrrp/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${WW_CAPTURE_DIR:-$here}
. "$here/../../lib/capture.sh"
. "$here/../../lib/namespaces.sh"
n1=ww10-cap-node1; n2=ww10-cap-node2
run=$(mktemp -d /tmp/ww10-vrrp-capture.XXXXXX)
namespaces --ipv6 $n1 $n2
ip link add ww10-tmp netns $n1 type veth peer name eth0 netns $n2
ip -n $n1 link set ww10-tmp name eth0
ip -n $n1 link set eth0 address 02:00:00:00:10:01; ip -n $n2 link set eth0 address 02:00:00:00:10:02
ip -n $n1 addr add 192.0.2.11/24 dev eth0; ip -n $n2 addr add 192.0.2.12/24 dev eth0
ip -n $n1 addr add 2001:db8:10::11/64 dev eth0 nodad; ip -n $n2 addr add 2001:db8:10::12/64 dev eth0 nodad
ip -n $n1 link set eth0 up; ip -n $n2 link set eth0 up

keepalived_conf() { # NAME PRIORITY
  cat <<CONF
global_defs { router_id $1 }
vrrp_instance v2 {
  version 2
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority $2
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass ww10pass
  }
  virtual_ipaddress {
    192.0.2.100/24
    192.0.2.101/24
  }
}
vrrp_instance v3 {
  version 3
  state BACKUP
  interface eth0
  virtual_router_id 52
  priority $2
  advert_int 0.5
  virtual_ipaddress { 192.0.2.102/24 }
}
vrrp_instance v6 {
  version 3
  state BACKUP
  interface eth0
  virtual_router_id 53
  priority $2
  advert_int 1
  virtual_ipaddress {
    fe80::53/64
    2001:db8:10::100/64
  }
}
CONF
}
keepalived_start() { # NAMESPACE NAME PRIORITY
  keepalived_conf "$2" "$3" > "$run/$2.conf"
  ip netns exec "$1" keepalived -n -l -P -f "$run/$2.conf" -p "$run/$2.pid" -r "$run/$2-vrrp.pid" \
    >"$run/$2.log" 2>&1 &
  pids+=($!)
  eval "pid_$2=$!"
}

capture advertisements $n2 eth0
capture_start
keepalived_start $n1 node1 150
sleep 4
keepalived_start $n2 node2 100
sleep 3
echo "  node1 stops (priority-0 advertisements), node2 takes over"
kill -TERM "$pid_node1"; wait "$pid_node1" 2>/dev/null || true
sleep 4
capture_stop
grep -ih "auth\|warn\|error" "$run"/node*.log | sort -u | head -5 || true
rm -rf "$run"
