#!/usr/bin/env bash
# CPU time (user + system, all threads) and wall time (exec to exit) of the tiny app (agent/bench/TinyServer.java;
# APP=netty: the Netty app, agent/bench/NettyServer.java) bare, under an empty -javaagent, under another agent jar
# (optional baseline: built from another commit, or a variant being tried) and under this build's agent (warm state
# directory), paired: every round runs every variant once. Medians over the rounds, JDK 17 and 25. On a machine
# shared with other work the wall times are mostly noise; CPU time is the steadier figure (it still grows somewhat
# with the load: caches and hyper-threads are shared). On an idle machine both count: with 2 cores the start-up is
# CPU-bound, so work moved to another thread shows up in CPU and wall alike.
#
# Usage (repo root, after mvn -B -q -DskipTests package): [APP=netty] agent/bench/cpu.sh [rounds, default 11] [baseline agent jar]
set -euo pipefail
RUNS=${1:-11}
BASE=${2:-}
. "$(dirname "$0")/lib.sh"
require_agent_jar "mvn -B -q -DskipTests package"
make_work
APP=${APP:-tiny}
compile_apps "$WORK/classes"
build_premain_jar EmptyAgent "$WORK/empty-agent.jar"
VARIANTS="bare empty this"
[ -n "$BASE" ] && VARIANTS="bare empty baseline this"
AGENTS=${VARIANTS#bare empty } # the columns over bare and the empty agent

TIMEFORMAT='%3R %3U %3S'
PORT=24000
runs_begin
for ((r = 0; r <= RUNS; r++)); do # round 0 warms the state directories and rewrite caches, unrecorded
  for jdk in 17 25; do
    home=$(jdk_home "$jdk")
    for variant in $VARIANTS; do
      PORT=$((PORT + 1))
      # shellcheck disable=SC2046
      times=$({ time "$home/bin/java" $(agent_options "$variant" "$jdk") $(native_access "$jdk" "$APP") \
        $(app_command "$APP" "$WORK/classes") "$PORT" >/dev/null 2>>"$WORK/stderr.log"; } 2>&1 |
        awk '{printf "%.0f %.0f", ($2 + $3) * 1000, $1 * 1000}')
      [ "$r" -gt 0 ] && sample "$jdk" "$variant" "$times"
    done
  done
done

table() { # value column ('$3' CPU, '$4' wall)
  # shellcheck disable=SC2086
  table_head JDK bare "empty -javaagent" $AGENTS
  local jdk b e t row variant
  for jdk in 17 25; do
    b=$(sample_median "$1" "$jdk" bare)
    e=$(sample_median "$1" "$jdk" empty)
    row="| $jdk | $b ms | $(awk -v e="$e" -v b="$b" 'BEGIN {printf "%.0f ms (%.2fx bare)", e, e/b}')"
    for variant in $AGENTS; do
      t=$(sample_median "$1" "$jdk" "$variant")
      row="$row | $(awk -v t="$t" -v e="$e" -v b="$b" 'BEGIN {printf "%.0f ms (%.2fx / %.2fx bare)", t, t/e, t/b}')"
    done
    echo "$row |"
  done
}

header_line "CPU time of the $APP app" " (agent jar built $(agent_jar_built))"
echo
table '$3'
echo
echo "Wall time, exec to exit, same runs:"
echo
table '$4'
