# A Kafka cluster of separate JVMs (`wirewatch broker --node-id ...`) for the fault scenarios. Source after
# common.sh. Broker I (1-3) serves clients on port PORT_BASE+I and its controller on PORT_BASE+10+I; data in
# WORKDIR/broker-I, log in WORKDIR/broker-I.log.
CLUSTER_SIZE=0
CLUSTER_ADDRESS=127.0.0.1
BOOTSTRAP=""
BROKER_JAVA_OPTS=${BROKER_JAVA_OPTS:--Xmx320m -XX:+UseSerialGC}

_cluster_voters() {
  local i voters=""
  for ((i = 1; i <= CLUSTER_SIZE; i++)); do voters+="${voters:+,}$i@$CLUSTER_ADDRESS:$((PORT_BASE + 10 + i))"; done
  echo "$voters"
}

_cluster_launch() { # I
  # shellcheck disable=SC2086  # BROKER_JAVA_OPTS is a list of options
  start_bg "broker-$1" java $BROKER_JAVA_OPTS -jar "$WW_JAR" broker --node-id "$1" \
    --quorum-voters "$(_cluster_voters)" --listen "$CLUSTER_ADDRESS" --port $((PORT_BASE + $1)) \
    --data "$WORK/broker-$1"
}

_cluster_served() { # I TIMES: broker I's log says "serving on" at least TIMES times
  [ "$(grep -c "serving on" "$WORK/broker-$1.log" 2>/dev/null)" -ge "$2" ]
}

cluster_start() { # COUNT [LISTEN_ADDRESS]: starts the brokers, waits until all serve with wirewatch's topics
  CLUSTER_SIZE=$1
  CLUSTER_ADDRESS=${2:-127.0.0.1}
  local i
  BOOTSTRAP=""
  for ((i = 1; i <= CLUSTER_SIZE; i++)); do
    _cluster_launch "$i"
    BOOTSTRAP+="${BOOTSTRAP:+,}$CLUSTER_ADDRESS:$((PORT_BASE + i))"
  done
  export BOOTSTRAP
  for ((i = 1; i <= CLUSTER_SIZE; i++)); do
    wait_for 120 _cluster_served "$i" 1 \
      || fail "broker $i did not start within 120 s: $(grep -v '^\s*at ' "$WORK/broker-$i.log" | tail -1)"
  done
}

cluster_kill() { # I: SIGKILL broker I (no clean shutdown)
  stop_bg "broker-$1" KILL
}

cluster_restart() { # I [SECONDS]: starts broker I again on its kept data; returns once it serves (within 120 s)
  cluster_relaunch "$1"
  cluster_await_restart "$1" "${2:-120}"
}

_cluster_served_before=()
cluster_relaunch() { # I: starts broker I again on its kept data and returns at once (cluster_await_restart waits)
  _cluster_served_before[$1]=$(grep -c "serving on" "$WORK/broker-$1.log" 2>/dev/null)
  stop_bg "broker-$1"
  _cluster_launch "$1"
}

cluster_await_restart() { # I SECONDS: until the relaunched broker I serves again, or fails the scenario
  wait_for "$2" _cluster_served "$1" $((${_cluster_served_before[$1]:-0} + 1)) \
    || fail "broker $1 did not restart within $2 s: $(grep -v '^\s*at ' "$WORK/broker-$1.log" | tail -1)"
}

cluster_leader() { # TOPIC PARTITION: prints the node id of the partition's leader
  kafka_tool "$BOOTSTRAP" leader "$1" "$2"
}

cluster_stop() { # stops every broker (newest first), cleanly
  local i
  for ((i = CLUSTER_SIZE; i >= 1; i--)); do stop_bg "broker-$i"; done
}
