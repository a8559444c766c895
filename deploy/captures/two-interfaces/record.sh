#!/usr/bin/env bash
# Records two-interfaces/capture.pcapng: dumpcap on two interfaces at once writes one pcapng with two Interface
# Description Blocks, here of different names and link types (lo: Ethernet, cut to 96 bytes; any: Linux cooked
# capture), nanosecond timestamps and Interface Statistics Blocks at the end. The traffic is loopback ICMP echoes
# and UDP datagrams, so every packet appears once per interface. The test of the pcapng reader against tshark
# (PcapngMatchesTsharkTest) reads it. Needs root and dumpcap (wireshark-common). Usage: deploy/captures/two-interfaces/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
filter='icmp or udp port 9'
dumpcap -q -i lo -s 96 -f "$filter" -i any -f "$filter" -a duration:4 -w "$here/capture.pcapng" 2>/dev/null &
dump=$!
sleep 1.5
ping -c 3 -i 0.3 -s 200 127.0.0.1 >/dev/null
for size in 10 1000; do
  head -c "$size" /dev/zero >/dev/udp/127.0.0.1/9 || true
done
wait $dump
echo "recorded $here/capture.pcapng: $(tshark -r "$here/capture.pcapng" 2>/dev/null | wc -l) packets"
