#!/usr/bin/env bash
# Records seed case 1 into this folder: a host firewall on the server drops SYNs to port 8080 that reached its NIC
# (iptables -A INPUT -p tcp --syn --dport 8080 -j DROP); port 443 answers. The client retransmits, the server never
# answers. Needs root, iproute2, iptables, tcpdump, python3. Usage: deploy/samples/01-firewall-drop/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${WW_CAPTURE_DIR:-$here}
client=wwrec1-client; server=wwrec1-server
. "$here/../../lib/capture.sh"
. "$here/../../lib/namespaces.sh"
. "$here/../../lib/two-hosts.sh"
two_hosts_setup
serve 443 8080
in_server iptables -A INPUT -p tcp --syn --dport 8080 -j DROP
capture client "$client" eth0
capture server "$server" eth0
capture_start
connect 198.51.100.10 443 3
connect 198.51.100.10 8080 6
sleep 7
connect 198.51.100.10 443 3
capture_stop
