#!/usr/bin/env bash
# CPU time (user + system, all threads) of the tiny app (agent/bench/TinyServer.java; APP=netty: the Netty app,
# agent/bench/NettyServer.java) bare, under an empty -javaagent, under an agent jar built from another commit
# (optional baseline) and under this build's agent (warm state directory), paired: every round runs every
# variant once. Medians over the rounds, JDK 17 and 25. On a machine
# shared with other work the wall times of startup.sh are mostly noise; CPU time is the steadier figure (it still
# grows somewhat with the load: caches and hyper-threads are shared).
#
# Usage (repo root, after mvn -B -q -DskipTests package): [APP=netty] agent/bench/cpu.sh [rounds, default 11] [baseline agent jar]
set -euo pipefail
RUNS=${1:-11}
BASE=${2:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
AGENT=$ROOT/agent/target/portmanager-agent.jar
JDK17=${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -f "$AGENT" ] || { echo "no $AGENT: run mvn -B -q -DskipTests package first" >&2; exit 1; }
WORK=$(mktemp -d /tmp/pm-cpu.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
APP=${APP:-tiny}
NETTY_CP=$(cat "$ROOT/agent/target/bench-netty.classpath")
"$JDK17/bin/javac" -XDsuppressNotes --release 17 -d "$WORK/classes" -cp "$NETTY_CP" "$ROOT/agent/bench/TinyServer.java" \
  "$ROOT/agent/bench/NettyServer.java"
MAIN=TinyServer; CLASSPATH_OF_APP=$WORK/classes
[ "$APP" = netty ] && { MAIN=NettyServer; CLASSPATH_OF_APP=$WORK/classes:$NETTY_CP; }
"$JDK17/bin/javac" --release 17 -d "$WORK/empty" "$ROOT/agent/bench/EmptyAgent.java"
printf 'Premain-Class: EmptyAgent\n' > "$WORK/empty.mf"
"$JDK17/bin/jar" cfm "$WORK/empty-agent.jar" "$WORK/empty.mf" -C "$WORK/empty" .
VARIANTS="bare empty this"
[ -n "$BASE" ] && VARIANTS="bare empty baseline this"

options() { # variant jdk
  case "$1" in
    bare) echo "" ;;
    empty) echo "-javaagent:$WORK/empty-agent.jar" ;;
    baseline) echo "-javaagent:$BASE=service=bench,type=ml,stateDir=$WORK/base-$2" ;;
    this) echo "-javaagent:$AGENT=service=bench,type=ml,stateDir=$WORK/this-$2" ;;
  esac
}

TIMEFORMAT='%3U %3S'
PORT=24000
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
for ((r = 0; r <= RUNS; r++)); do # round 0 warms the state directories and rewrite caches, unrecorded
  for jdk in 17 25; do
    home=$JDK17; extra=""
    [ "$jdk" = 25 ] && home=$JDK25
    [ "$jdk" = 25 ] && [ "$APP" = netty ] && extra="--enable-native-access=ALL-UNNAMED"
    for variant in $VARIANTS; do
      PORT=$((PORT + 1))
      # shellcheck disable=SC2046
      cpu=$({ time "$home/bin/java" $(options "$variant" "$jdk") $extra -cp "$CLASSPATH_OF_APP" $MAIN "$PORT" \
        >/dev/null 2>>"$WORK/stderr.log"; } 2>&1 | awk '{printf "%.0f", ($1 + $2) * 1000}')
      [ "$r" -gt 0 ] && echo "$jdk $variant $cpu" >> "$WORK/samples"
    done
  done
done
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
echo "CPU time of the $APP app, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $COMMIT (agent jar built $(date -u -r "$AGENT" '+%H:%M UTC')), $RUNS rounds, load average $LOAD_BEFORE before / $(cut -d' ' -f1-3 /proc/loadavg) after"
echo
header="| JDK | bare | empty -javaagent"; sep="|---|---|---"
for variant in $VARIANTS; do [ "$variant" = empty ] || [ "$variant" = bare ] || { header="$header | $variant"; sep="$sep|---"; }; done
echo "$header |"; echo "$sep|"
for jdk in 17 25; do
  b=$(awk -v j=$jdk '$1==j && $2=="bare" {print $3}' "$WORK/samples" | median)
  e=$(awk -v j=$jdk '$1==j && $2=="empty" {print $3}' "$WORK/samples" | median)
  row="| $jdk | $b ms | $(awk -v e="$e" -v b="$b" 'BEGIN {printf "%.0f ms (%.2fx bare)", e, e/b}')"
  for variant in $VARIANTS; do
    [ "$variant" = empty ] || [ "$variant" = bare ] && continue
    t=$(awk -v j=$jdk -v v=$variant '$1==j && $2==v {print $3}' "$WORK/samples" | median)
    row="$row | $(awk -v t="$t" -v e="$e" -v b="$b" 'BEGIN {printf "%.0f ms (%.2fx / %.2fx bare)", t, t/e, t/b}')"
  done
  echo "$row |"
done
