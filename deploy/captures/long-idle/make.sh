#!/usr/bin/env bash
# Makes the real-scale versions of the seed cases in this folder from the kernel-recorded samples (README.md says
# what each holds). Re-run it after a sample is re-recorded. Needs python3 (/usr/bin/python3) and tshark.
# Usage: deploy/captures/long-idle/make.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
here=deploy/captures/long-idle
stretch=deploy/captures/stretch.py

# Seed case 6: the silence after the four logins (the first longer than a second) becomes 15 minutes, then 2 hours.
s6=deploy/samples/06-idle-session-dropped
for gap in 15m 2h; do
  rm -rf "$here/06-idle-$gap"
  $stretch --first-gap-over 1s --gap-to "$gap" -o "$here/06-idle-$gap" $s6/client.pcap $s6/server.pcap
  cp $s6/topology.yaml "$here/06-idle-$gap/"
done

# Seed case 8: from the second echo round on (when host2 has followed the redirect), the rounds 2 minutes apart.
s8=deploy/samples/08-redirect-ignored
rm -rf "$here/08-redirect-2m"
$stretch --flow 'icmp.seq >= 2' --every-gap-over 200ms --gap-to 2m -o "$here/08-redirect-2m" \
  $s8/host.pcap $s8/host2.pcap $s8/server.pcap
cp $s8/topology.yaml "$here/08-redirect-2m/"
