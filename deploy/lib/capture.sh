# Captures for the scripts that reproduce the seed cases in network namespaces (deploy/samples/*/record.sh).
# Sourced, not run. Two modes:
#   record (default)            tcpdump writes each capture to "$out" (headers only, snaplen $WW_SNAPLEN or 128);
#   lab (WW_LAB_BOOTSTRAP set)  the same captures, plus a live `wirewatch sensor` in every captured namespace that
#                               reaches the lab's broker over a management link; capture_stop then judges the
#                               scenario's expectations (deploy/lab/expect.py) before anything is torn down.
# A script calls `capture STEM NAMESPACE IFACE` per capture (file STEM.pcap; STEM is HOST or HOST@IFACE), then
# capture_start, drives its traffic, and ends with capture_stop.

ww_capture_pids=()
ww_sensor_pids=()
declare -A ww_host_ns=()
declare -A ww_host_ifaces=()

capture() { # STEM NAMESPACE IFACE
  local stem=$1 ns=$2 iface=$3 host=${1%%@*}
  # Started directly, so that $! is tcpdump itself and SIGINT reaches it.
  ip netns exec "$ns" tcpdump -i "$iface" -s "${WW_SNAPLEN:-128}" -U --immediate-mode -w "$out/$stem.pcap" 2>/dev/null &
  ww_capture_pids+=($!)
  ww_host_ns[$host]=$ns
  ww_host_ifaces[$host]="${ww_host_ifaces[$host]:-} $iface"
}

capture_start() {
  sleep 1
  if [ -n "${WW_LAB_BOOTSTRAP:-}" ]; then
    ww_lab_sensors_start
  fi
}

capture_stop() {
  local verdict=0
  if [ -n "${WW_LAB_BOOTSTRAP:-}" ]; then
    ww_lab_judge || verdict=$?
  fi
  sleep 1
  capture_cleanup
  echo "  recorded: $(ls "$out"/*.pcap | xargs -n1 basename | tr '\n' ' ')"
  return $verdict
}

# --- lab mode --------------------------------------------------------------------------------------------------

# A veth from the namespace to the lab's management bridge ($WW_LAB_SUBNET.0/24, outside every internal prefix the
# detectors know), so its sensor reaches the broker; sensors capture only the scenario's interfaces.
ww_lab_attach() { # NAMESPACE
  local ns=$1 n
  n=$(( $(cat "$WW_LAB_WORK/next-link" 2>/dev/null || echo 1) ))
  echo $((n + 1)) > "$WW_LAB_WORK/next-link"
  [ "$n" -le 240 ] || { echo "  lab: more than 240 management links in one run" >&2; return 1; }
  ip link add "$WW_LAB_LINKS$n" type veth peer name mgmt0 netns "$ns"
  ip link set "$WW_LAB_LINKS$n" master "$WW_LAB_BRIDGE"
  ip link set "$WW_LAB_LINKS$n" up
  ip -n "$ns" addr add "$WW_LAB_SUBNET.$((n + 10))/24" dev mgmt0
  ip -n "$ns" link set mgmt0 up
  ip -n "$ns" link set lo up
}

ww_lab_sensors_start() {
  local host ns log args iface
  for host in "${!ww_host_ns[@]}"; do
    ns=${ww_host_ns[$host]}
    ww_lab_attach "$ns"
    args=()
    # A scenario may have a sensor capture other interfaces than the recording does (WW_LAB_CAPTURE_host=any).
    local override="WW_LAB_CAPTURE_$host"
    for iface in ${!override:-${ww_host_ifaces[$host]}}; do args+=(--interface "$iface"); done
    log="$out/sensor-$host.log"
    # shellcheck disable=SC2086  # WW_LAB_SENSOR_ARGS is a list of options
    ip netns exec "$ns" java -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.wirewatch.record -jar "$WW_LAB_JAR" sensor \
      --bootstrap-servers "$WW_LAB_BOOTSTRAP" --host "$host" "${args[@]}" --topology "$WW_LAB_TOPOLOGY" \
      ${WW_LAB_SENSOR_ARGS:-} >"$log" 2>&1 &
    ww_sensor_pids+=($!)
  done
  for host in "${!ww_host_ns[@]}"; do
    log="$out/sensor-$host.log"
    for _ in $(seq 1 120); do
      grep -q "capturing" "$log" 2>/dev/null && break
      sleep 0.5
    done
    grep -q "capturing" "$log" || { echo "  sensor $host did not start: $(tail -3 "$log")"; return 1; }
  done
  wc -l < "$WW_LAB_ALERTS" > "$out/alerts-from"
  date +%s.%N > "$out/alerts-since"
  echo "  live sensors: ${!ww_host_ns[*]}"
}

ww_lab_judge() {
  /usr/bin/python3 "$WW_LAB_HOME/expect.py" --alerts "$WW_LAB_ALERTS" --from-line "$(cat "$out/alerts-from")" \
    --since "$(cat "$out/alerts-since")" \
    --expect "$WW_LAB_EXPECT" --timeout "$WW_LAB_TIMEOUT" --settle "$WW_LAB_SETTLE" \
    --result "$out/result"
}

# For a script's exit trap: whatever is still capturing stops (an interrupted run leaves nothing behind).
capture_cleanup() {
  # tcpdump ends cleanly on SIGINT; a JVM started in the background of a script ignores SIGINT, so sensors get TERM.
  for pid in "${ww_capture_pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in "${ww_sensor_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  local pids=("${ww_capture_pids[@]}" "${ww_sensor_pids[@]}")
  if [ ${#pids[@]} -gt 0 ]; then wait "${pids[@]}" 2>/dev/null || true; fi  # a bare wait would wait for the services too
  ww_capture_pids=()
  ww_sensor_pids=()
}
