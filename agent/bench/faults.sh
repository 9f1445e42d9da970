#!/usr/bin/env bash
# Page faults of the tiny app (agent/bench/TinyServer.java) under an empty -javaagent, under another agent jar
# (optional baseline) and under this build's agent (warm state directory), paired rounds, medians, JDK 17 and 25;
# then what one fresh page costs on this machine (agent/bench/FreshPages.java), which turns the extra faults into
# CPU. The fault count (minor faults, from GNU time) hardly moves with the machine's load, unlike CPU time, so it
# shows a change in the memory an agent touches when timings cannot.
#
# Usage (repo root, after mvn -B -q -DskipTests package): agent/bench/faults.sh [rounds, default 11] [baseline agent jar]
set -euo pipefail
RUNS=${1:-11}
BASE=${2:-}
. "$(dirname "$0")/lib.sh"
require_agent_jar "mvn -B -q -DskipTests package"
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time; Debian package time)" >&2; exit 1; }
make_work
compile_bench "$WORK/classes" "" TinyServer FreshPages
build_premain_jar EmptyAgent "$WORK/empty-agent.jar"
VARIANTS="empty this"
[ -n "$BASE" ] && VARIANTS="empty baseline this"

PORT=24500
runs_begin
for ((r = 0; r <= RUNS; r++)); do # round 0 warms the state directories and rewrite caches, unrecorded
  for jdk in 17 25; do
    for variant in $VARIANTS; do
      PORT=$((PORT + 1))
      # shellcheck disable=SC2046
      /usr/bin/time -f '%R' -o "$WORK/faults" "$(jdk_home "$jdk")/bin/java" $(agent_options "$variant" "$jdk") \
        -cp "$WORK/classes" TinyServer "$PORT" >/dev/null 2>>"$WORK/stderr.log"
      [ "$r" -gt 0 ] && sample "$jdk" "$variant" "$(tail -1 "$WORK/faults")"
    done
  done
done
for ((r = 1; r <= RUNS; r++)); do
  for jdk in 17 25; do
    sample "$jdk" fresh "$("$(jdk_home "$jdk")/bin/java" -cp "$WORK/classes" FreshPages 4096 | awk '{print $2}')"
  done
done

header_line "Page faults of the tiny app" " (agent jar built $(agent_jar_built))"
echo
# shellcheck disable=SC2086
table_head JDK "empty -javaagent" ${VARIANTS#empty } "one fresh page" "this over empty, as CPU"
for jdk in 17 25; do
  e=$(sample_median '$3' "$jdk" empty)
  f=$(sample_median '$3' "$jdk" fresh)
  row="| $jdk | $e"
  for variant in ${VARIANTS#empty }; do
    t=$(sample_median '$3' "$jdk" "$variant")
    row="$row | $(awk -v t="$t" -v e="$e" 'BEGIN {printf "%d (%+d)", t, t - e}')"
  done
  echo "$row | $(awk -v f="$f" 'BEGIN {printf "%.1f us", f}') | $(awk -v t="$t" -v e="$e" -v f="$f" 'BEGIN {printf "%.1f ms", (t - e) * f / 1000}') |"
done
