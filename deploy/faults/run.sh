#!/usr/bin/env bash
# The fault suite: brokers, processors and links that fail, with nothing lost and nothing doubled. Runs every
# executable deploy/faults/scenarios/NAME.sh (all, sorted, or the ones named), each in its own work directory.
# Usage: sudo deploy/faults/run.sh [--instance N] [--short] [--keep DIR] [SCENARIO ...]
#   SCENARIO        a scenario's name (its file name without .sh; default: all)
#   --instance N    0-9: the scenarios use ports 29000+100*N..+99, names wwfN*, subnet 198.19.N.0/24 (default 0)
#   --short         CI length: each scenario within 6 minutes (2-4 as a rule)
#   --keep DIR      keep the work directories (logs, result.txt) in DIR (default: a temporary directory, deleted
#                   when all pass)
# Prints "PASS name" or "FAIL name: why" per scenario, then its figures (result.txt), and exits 0 only if all pass.
# Needs root (network namespaces), iproute2, nftables and Java; builds the jar if needed.
set -uo pipefail
faults=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$faults/../.." && pwd)

keep=""
instance=0
short=0
wanted=()
while [ $# -gt 0 ]; do
  case $1 in
    --keep) keep=$2; shift 2 ;;
    --instance) instance=$2; shift 2 ;;
    --short) short=1; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) wanted+=("$1"); shift ;;
  esac
done
[[ $instance =~ ^[0-9]$ ]] || { echo "run.sh: --instance must be 0-9, not '$instance'" >&2; exit 2; }
known=$(find "$faults/scenarios" -maxdepth 1 -name '*.sh' -perm -u+x -printf '%f\n' | sed 's/\.sh$//' | sort)
for name in "${wanted[@]}"; do
  grep -qx "$name" <<<"$known" || { echo "run.sh: unknown scenario '$name'; known: $(echo $known)" >&2; exit 2; }
done
[ ${#wanted[@]} -gt 0 ] || mapfile -t wanted <<<"$known"
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (network namespaces)" >&2; exit 2; }

work=${keep:-$(mktemp -d /tmp/wirewatch-faults-XXXXXX)}
mkdir -p "$work"
"$repo/wirewatch" --version >/dev/null || { echo "run.sh: cannot build wirewatch" >&2; exit 1; }
export WW_JAR=$repo/app/target/wirewatch.jar WW_FAULTS_INSTANCE=$instance WW_FAULTS_SHORT=$short
# Per scenario: CI length finishes in 2-4 minutes, 6 at most on a loaded machine; the full length (soak) may take 40.
limit=${WW_FAULTS_TIMEOUT:-$([ "$short" = 1 ] && echo 360 || echo 2700)}

remove_names() { # whatever a scenario left named wwf${instance}*: namespaces, then links and bridges
  local ns link
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^wwf$instance"); do ip netns del "$ns" 2>/dev/null; done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^wwf$instance"); do
    ip link del "$link" 2>/dev/null
  done
}
scenario_pid=""
interrupted() {
  echo "run.sh: interrupted" >&2
  if [ -n "$scenario_pid" ]; then kill -TERM "$scenario_pid" 2>/dev/null; wait "$scenario_pid" 2>/dev/null; fi
  remove_names
  exit 130
}
trap interrupted INT TERM

failed=0
for name in "${wanted[@]}"; do
  dir=$work/$name
  rm -rf "$dir"
  mkdir -p "$dir"
  started_at=$(date +%s)
  # In the background, so a signal reaches the trap at once; timeout sends TERM (the scenario's trap tears down),
  # then KILL 60 s later.
  timeout -k 60 "$limit" "$faults/scenarios/$name.sh" "$dir" >"$dir/scenario.log" 2>&1 &
  scenario_pid=$!
  wait "$scenario_pid"
  code=$?
  scenario_pid=""
  remove_names
  seconds=$(($(date +%s) - started_at))
  if [ $code = 0 ]; then
    echo "PASS $name (${seconds} s)"
  else
    failed=1
    why=$(head -1 "$dir/why" 2>/dev/null)
    [ $code = 124 ] && why="timed out after $limit s${why:+; $why}"
    echo "FAIL $name: ${why:-exit $code, no reason given; see $dir/scenario.log: $(tail -1 "$dir/scenario.log")}"
  fi
  [ -f "$dir/result.txt" ] && sed 's/^/    /' "$dir/result.txt"
done
if [ $failed = 0 ] && [ -z "$keep" ]; then rm -rf "$work"; else echo "work directories: $work"; fi
exit $failed
