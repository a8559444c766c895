# Shared functions of the fault scenarios (deploy/faults/run.sh). A scenario sources this file with its WORKDIR as
# $1, then registers `trap teardown EXIT`. Instance N: WW_FAULTS_INSTANCE (ports 29000+100*N.., names wwf${N}*,
# subnet 198.19.${N}.0/24); WW_JAR: the jar run.sh built.
WORK=${1:?usage: $0 WORKDIR}
mkdir -p "$WORK"
N=${WW_FAULTS_INSTANCE:-0}
SHORT=${WW_FAULTS_SHORT:-0}
PORT_BASE=$((29000 + 100 * N))
SUBNET=198.19.$N
FAULTS_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$FAULTS_LIB/../../.." && pwd)
WW_JAR=${WW_JAR:-$REPO/app/target/wirewatch.jar}
WIREWATCH_JAVA_OPTS=${WIREWATCH_JAVA_OPTS:--Xmx384m}
_bg_names=()
_bg_pids=()
_teardown_hooks=()

fail() { # WHY: one line to WORKDIR/why, exit 1 (the EXIT trap tears down)
  echo "$*" | head -1 >"$WORK/why"
  echo "FAIL: $*" >&2
  exit 1
}

result() { # KEY VALUE: a figure for run.sh to print
  echo "$1: ${*:2}" >>"$WORK/result.txt"
}

wait_for() { # SECONDS CMD...: until CMD succeeds (0) or the time is up (1); tries twice a second
  local deadline=$((SECONDS + $1))
  shift
  while [ $SECONDS -lt $deadline ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  "$@" >/dev/null 2>&1
}

start_bg() { # NAME CMD...: runs CMD in the background, logs to WORKDIR/NAME.log; NAME's pid is in pid_of NAME
  local name=$1
  shift
  "$@" >>"$WORK/$name.log" 2>&1 &
  _bg_names+=("$name")
  _bg_pids+=($!)
}

pid_of() { # NAME: the pid of the latest process started as NAME
  local i
  for ((i = ${#_bg_names[@]} - 1; i >= 0; i--)); do
    [ "${_bg_names[$i]}" = "$1" ] && { echo "${_bg_pids[$i]}"; return 0; }
  done
  return 1
}

stop_bg() { # NAME [SIGNAL]: stops NAME's process (TERM by default) and waits for it
  local pid
  pid=$(pid_of "$1") || return 0
  kill "-${2:-TERM}" "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

on_teardown() { # CMD...: run by teardown before the processes stop (e.g. deleting namespaces)
  _teardown_hooks+=("$*")
}

wirewatch() { # ARGS...: the wirewatch jar in the foreground
  # shellcheck disable=SC2086  # WIREWATCH_JAVA_OPTS is a list of options
  java $WIREWATCH_JAVA_OPTS -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.wirewatch.record -jar "$WW_JAR" "$@"
}

bridge_add() { # NAME ADDRESS/PREFIX: a bridge with a fixed MAC, up, removed by run.sh after the scenario (wwf${N}*)
  # A bridge without its own MAC takes its lowest port's, and takes another when that port goes (a namespace
  # deleted): every namespace still attached then holds a stale ARP entry for the bridge's address and gets nothing
  # through for ~50 s until it re-resolves (the lab's acknowledgement stall, issue 21).
  ip link add "$1" address "02:77:66:$(printf '%02x' "$N"):$(printf '%s' "$1" | cksum | awk '{printf "%02x:%02x", $1 % 256, int($1 / 256) % 256}')" type bridge
  ip addr add "$2" dev "$1"
  ip link set "$1" up
}

kafka_tool() { # BOOTSTRAP COMMAND ARGS...: deploy/faults/lib/KafkaTool.java (leader, describe, count, produce, keys, lag)
  # compiled once per scenario: scenarios poll it, and compiling from source costs seconds on a busy machine
  if [ ! -f "$WORK/kafka-tool/KafkaTool.class" ]; then
    javac -nowarn -cp "$WW_JAR" -d "$WORK/kafka-tool" "$FAULTS_LIB/KafkaTool.java" 2>>"$WORK/kafka-tool.log" || return 1
  fi
  java -Xmx192m -cp "$WW_JAR:$WORK/kafka-tool" KafkaTool "$@" 2>>"$WORK/kafka-tool.log"
}

drained() { # BOOTSTRAP GROUP: the group has consumed its input (lag down to transaction markers, one per commit)
  local lag
  lag=$(kafka_tool "$1" lag "$2" | cut -f1)
  [ -n "$lag" ] && [ "$lag" -le 50 ]
}

teardown() { # the EXIT trap: hooks, then every background process (newest first: clients before brokers)
  local i
  for ((i = ${#_teardown_hooks[@]} - 1; i >= 0; i--)); do eval "${_teardown_hooks[$i]}" || true; done
  for ((i = ${#_bg_pids[@]} - 1; i >= 0; i--)); do kill "${_bg_pids[$i]}" 2>/dev/null || true; done
  for ((i = ${#_bg_pids[@]} - 1; i >= 0; i--)); do
    local pid=${_bg_pids[$i]} waited=0
    while kill -0 "$pid" 2>/dev/null && [ $waited -lt 40 ]; do sleep 0.5; waited=$((waited + 1)); done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
