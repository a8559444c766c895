# Until deploy/faults/lib/common.sh (branch `cluster`) is merged: the same functions, as the fault suite's contract
# describes them. Needs $work.
ww_bg_pids=()
fail() { echo "$1" >"$work/why"; echo "FAIL: $1" >&2; exit 1; }
result() { echo "$1: $2" >>"$work/result.txt"; }
wait_for() { # SECONDS CMD...
  local until=$(($(date +%s) + $1)); shift
  until "$@"; do [ "$(date +%s)" -lt "$until" ] || return 1; sleep 0.5; done
}
start_bg() { # NAME CMD...
  local name=$1; shift
  "$@" >"$work/$name.log" 2>&1 &
  ww_bg_pids+=($!)
}
teardown() { # last started first: a processor stops while the broker still answers
  local i
  for ((i = ${#ww_bg_pids[@]} - 1; i >= 0; i--)); do
    kill "${ww_bg_pids[i]}" 2>/dev/null && timeout 30 tail --pid="${ww_bg_pids[i]}" -f /dev/null
  done
  ww_bg_pids=()
}
