#!/usr/bin/env bash
# The lab's ~50 s acknowledgement stall, kept from coming back: two namespaces on a bridge made by bridge_add, the
# second's veth with the lower MAC. A client in the first echoes through the bridge's address while the second is
# deleted. A bridge without a fixed MAC would take the remaining port's MAC and the client's ARP entry would point at a
# MAC that is gone for ~50 s; with bridge_add the echo never waits more than a few seconds.
set -uo pipefail
source "$(dirname "$0")/../lib/common.sh"
trap teardown EXIT
bridge=wwf${N}br a=wwf${N}a b=wwf${N}b port=$((PORT_BASE + 60))
on_teardown "ip netns del $a 2>/dev/null; ip netns del $b 2>/dev/null; ip link del $bridge 2>/dev/null"
bridge_add "$bridge" "$SUBNET.1/24" || fail "cannot create bridge $bridge"
i=0
for ns in $a $b; do
  i=$((i + 1))
  ip netns add "$ns" || fail "cannot create namespace $ns"
  ip link add "wwf${N}v$i" address "02:00:00:00:0$N:$((30 - 10 * i))" type veth peer name mgmt0 netns "$ns"
  ip link set "wwf${N}v$i" master "$bridge"
  ip link set "wwf${N}v$i" up
  ip -n "$ns" addr add "$SUBNET.1$i/24" dev mgmt0
  ip -n "$ns" link set mgmt0 up
  ip -n "$ns" link set lo up
done
mac=$(cat "/sys/class/net/$bridge/address")
start_bg echo-server python3 "$FAULTS_LIB/echo.py" server "$SUBNET.1" "$port"
listening() { ss -Hltn "sport = :$port" | grep -q .; }
wait_for 30 listening || fail "the echo server did not listen within 30 s"
start_bg echo-client ip netns exec "$a" python3 "$FAULTS_LIB/echo.py" client "$SUBNET.1" "$port" 45
# The client must have resolved the bridge's address (to the lowest port's MAC) before that port goes.
resolved() { ip -n "$a" neigh show "$SUBNET.1" | grep -q lladdr; }
wait_for 30 resolved || fail "the echo client did not reach the bridge within 30 s"
sleep 2
ip netns del "$b"
gone() { ! ip link show "wwf${N}v2" >/dev/null 2>&1; }
wait_for 30 gone || fail "the deleted namespace's veth did not go within 30 s"
wait "$(pid_of echo-client)" || fail "the echo client failed: $(tail -1 "$WORK/echo-client.log")"
worst=$(grep -o 'worst echo [0-9.]*' "$WORK/echo-client.log" | awk '{print $3}')
result bridge_mac_before_after "$mac $(cat "/sys/class/net/$bridge/address")"
result worst_echo_s "${worst:-none}"
[ -n "$worst" ] || fail "the echo client printed no result"
[ "$(cat "/sys/class/net/$bridge/address")" = "$mac" ] || fail "the bridge's MAC changed when a port went"
awk -v w="$worst" 'BEGIN { exit !(w < 5) }' || fail "an echo through the bridge waited $worst s after a port went"
exit 0
