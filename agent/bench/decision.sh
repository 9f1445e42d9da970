#!/usr/bin/env bash
# The first bind's time on the app's thread, from this agent's own debug lines (-Dportmanager.debug=true): "bind of P
# decided in" (from the bind's entry to the port it binds: the SO_REUSEPORT check, the port's share, the grant on the
# core thread) and "bind of P recorded in" (after the OS bind: the claim marked listening). Both apps, both JDKs:
#   tiny   agent/bench/TinyServer.java binds first thing in main(), while the core thread is still opening the manager
#          (its decision waits for that);
#   netty  agent/bench/NettyServer.java binds after Netty's own start-up, when the core has opened and warmed up.
# Each run binds a port the OS has just found free, on a state directory kept per JDK and jar (warm). With a
# baseline agent jar (built from another commit, or a variant being tried), every round runs both jars, alternating.
# Medians and quartiles over the rounds; on this 2-core machine a bind that comes while both cores are busy takes
# several times the median, so the quartiles are part of the result.
#
# Usage (repo root, after mvn -B -q -DskipTests package): agent/bench/decision.sh [rounds, default 15] [baseline jar]
set -euo pipefail
RUNS=${1:-15}
BASE=${2:-}
. "$(dirname "$0")/lib.sh"
require_agent_jar "mvn -B -q -DskipTests package"
[ -z "$BASE" ] || [ -f "$BASE" ] || { echo "no baseline jar $BASE" >&2; exit 1; }
make_work
compile_apps "$WORK/classes"

VARIANTS="this"
[ -n "$BASE" ] && VARIANTS="baseline this"
runs_begin
for ((r = 1; r <= RUNS; r++)); do
  for app in tiny netty; do
    for jdk in 17 25; do
      for variant in $VARIANTS; do
        # shellcheck disable=SC2046
        times=$("$(jdk_home "$jdk")/bin/java" -Dportmanager.debug=true $(agent_options "$variant" "$jdk") \
          $(native_access "$jdk" "$app") $(app_command "$app" "$WORK/classes") "$(free_port)" 2>&1 >/dev/null |
          awk '/ decided in / {d = $(NF-1)} / recorded in / {c = $(NF-1)} END {print d + 0, c + 0}')
        sample "$app" "$jdk" "$variant" $times
      done
    done
  done
done

quartiles() { # awk value ('$4' decided, '$5' recorded), key... -> "median ms (q1-q3)"
  local value=$1
  shift
  awk -v keys="$*" 'BEGIN {n = split(keys, key, " ")} {for (i = 1; i <= n; i++) if ($i != key[i]) next; print '"$value"'}' \
    "$WORK/samples" | sort -n |
    awk '{a[NR] = $1} END {printf "%.2f ms (%.2f-%.2f)", a[int((NR+1)/2)]/1000, a[int((NR+3)/4)]/1000, a[int((3*NR+3)/4)]/1000}'
}
header_line "The first bind on the app's thread" " (agent jar built $(agent_jar_built)${BASE:+, baseline $(basename "$BASE")})"
echo
table_head app JDK variant "decided, median (quartiles)" "recorded, median (quartiles)"
for app in tiny netty; do
  for jdk in 17 25; do
    for variant in $VARIANTS; do
      echo "| $app | $jdk | $variant | $(quartiles '$4' "$app" "$jdk" "$variant") | $(quartiles '$5' "$app" "$jdk" "$variant") |"
    done
  done
done
