# Hosts as network namespaces, for the scripts that reproduce the seed cases (deploy/samples/*/record.sh,
# deploy/lab/healthy.sh). Sourced after capture.sh, not run.
# `namespaces [--ipv6] NS ...` creates the namespaces afresh (loopback up; IPv6 off unless --ipv6: the IPv4 cases
# would only get router solicitations and DAD noise in their captures) and makes sure that when the script ends —
# normally, on an error or interrupted — its captures stop, the processes it started in the background (their pids appended to
# $pids) end and the namespaces are gone.

pids=()
ww_namespaces=()

namespaces() { # [--ipv6] NAMESPACE ...
  local ipv6=0
  if [ "${1:-}" = --ipv6 ]; then ipv6=1; shift; fi
  ww_namespaces=("$@")
  trap namespaces_cleanup EXIT
  trap 'namespaces_cleanup; exit 130' INT
  trap 'namespaces_cleanup; exit 143' TERM
  namespaces_cleanup
  local ns
  for ns in "$@"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=$((1 - ipv6)) \
      net.ipv6.conf.default.disable_ipv6=$((1 - ipv6))
  done
}

namespaces_cleanup() {
  capture_cleanup
  local pid ns
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  pids=()
  for ns in "${ww_namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
}
