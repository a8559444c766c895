#!/usr/bin/env bash
# Records seed case 3 into this folder: the service moved from port 8080 to 8081; old clients still connect to 8080
# and get a RST to their SYN, new ones reach 8081. Needs root, iproute2, tcpdump, python3.
# Usage: deploy/samples/03-port-moved/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${WW_CAPTURE_DIR:-$here}
client=wwrec3-client; server=wwrec3-server
. "$here/../../lib/capture.sh"
. "$here/../../lib/namespaces.sh"
. "$here/../../lib/two-hosts.sh"
two_hosts_setup
serve 8081
capture client "$client" eth0
capture server "$server" eth0
capture_start
for source in 198.51.100.10 198.51.100.11 198.51.100.10; do
  connect "$source" 8080 3
  sleep 0.5
done
connect 198.51.100.11 8081 3
connect 198.51.100.10 8081 3
capture_stop
