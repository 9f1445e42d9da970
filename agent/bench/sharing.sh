#!/usr/bin/env bash
# Where the agent's start-up cost goes, by taking parts of it away. Tiny app (agent/bench/TinyServer.java, from a
# jar: class sharing needs one), paired rounds, medians of wall (exec to exit) and CPU (user + system) time, per JDK:
#   empty        an empty -javaagent (the floor of the start-up goals)
#   hook         an agent that only registers a transformer returning null (agent/bench/NoopTransformerAgent.java):
#                the cost of the load-time hook itself
#   agent        this agent, warm (state directory and rewrite cache used before)
#   empty+cache  the empty agent with a class-data archive made by a training run of the same command
#   agent+cache  this agent likewise: its classes (and the JDK's it loads) come mapped, parsed and verified
# The archive: JDK 25, an AOT cache (-XX:AOTCacheOutput, then -XX:AOTCache; production flags). JDK 17, a dynamic
# CDS archive (-XX:ArchiveClassesAtExit, then -XX:SharedArchiveFile), which JDK 17 makes with an agent attached only
# under -XX:+AllowArchivingWithJavaAgent, a diagnostic flag meant for tests: an upper bound of what sharing buys.
# Also counts the classes each variant loads that do not come from an archive (one run, -Xlog:class+load).
#
# APP=netty runs the Netty app (agent/bench/NettyServer.java) instead, with bare (no agent) added as the first row.
#
# Usage (repo root, after mvn -B -q -DskipTests package): [APP=netty] agent/bench/sharing.sh [rounds, default 15]
set -euo pipefail
RUNS=${1:-15}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
AGENT=$ROOT/agent/target/portmanager-agent.jar
JDK17=${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -f "$AGENT" ] || { echo "no $AGENT: run mvn -B -q -DskipTests package first" >&2; exit 1; }
WORK=$(mktemp -d /tmp/pm-sharing.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

APP=${APP:-tiny}
NETTY_CP=$(cat "$ROOT/agent/target/bench-netty.classpath")
"$JDK17/bin/javac" -XDsuppressNotes --release 17 -d "$WORK/app" -cp "$NETTY_CP" "$ROOT/agent/bench/TinyServer.java" \
  "$ROOT/agent/bench/NettyServer.java"
"$JDK17/bin/jar" cf "$WORK/app.jar" -C "$WORK/app" .
APP_CP=$WORK/app.jar; MAIN=TinyServer; VARIANTS="empty hook agent empty+cache agent+cache"
[ "$APP" = netty ] && { APP_CP=$WORK/app.jar:$NETTY_CP; MAIN=NettyServer; VARIANTS="bare $VARIANTS"; }
for agent in EmptyAgent NoopTransformerAgent; do
  "$JDK17/bin/javac" --release 17 -d "$WORK/$agent" "$ROOT/agent/bench/$agent.java"
  printf 'Premain-Class: %s\n' "$agent" > "$WORK/$agent.mf"
  "$JDK17/bin/jar" cfm "$WORK/$agent.jar" "$WORK/$agent.mf" -C "$WORK/$agent" .
done

home_of() { [ "$1" = 25 ] && echo "$JDK25" || echo "$JDK17"; }
TEST_ONLY="-XX:+UnlockDiagnosticVMOptions -XX:+AllowArchivingWithJavaAgent"
agent_of() { # variant jdk
  case "$1" in
    bare) ;;
    empty*) echo "-javaagent:$WORK/EmptyAgent.jar" ;;
    hook) echo "-javaagent:$WORK/NoopTransformerAgent.jar" ;;
    agent*) echo "-javaagent:$AGENT=service=bench,type=ml,stateDir=$WORK/state-$2" ;;
  esac
}
cache_use() { # variant jdk
  case "$1" in
    *+cache) if [ "$2" = 25 ]; then echo "-XX:AOTCache=$WORK/${1%+cache}-25.aot";
             else echo "$TEST_ONLY -XX:SharedArchiveFile=$WORK/${1%+cache}-17.jsa"; fi ;;
  esac
}
run() { # jdk variant [extra options...]
  local jdk=$1 variant=$2 native=""; shift 2
  [ "$APP" = netty ] && [ "$jdk" = 25 ] && native="--enable-native-access=ALL-UNNAMED"
  # shellcheck disable=SC2046
  "$(home_of "$jdk")/bin/java" $(cache_use "$variant" "$jdk") $(agent_of "$variant" "$jdk") $native "$@" \
    -cp "$APP_CP" $MAIN 23001 >/dev/null 2>>"$WORK/stderr.log"
}
for jdk in 17 25; do # warm the agent's state directory, then train an archive for each cached variant
  run "$jdk" agent
  for base in empty agent; do
    if [ "$jdk" = 25 ]; then run "$jdk" "$base" -XX:AOTCacheOutput="$WORK/$base-25.aot"
    else run "$jdk" "$base" $TEST_ONLY -XX:ArchiveClassesAtExit="$WORK/$base-17.jsa"; fi
  done
done

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
TIMEFORMAT='%3R %3U %3S'
for ((r = 1; r <= RUNS; r++)); do
  for jdk in 17 25; do
    for variant in $VARIANTS; do
      echo "$jdk $variant $( { time run "$jdk" "$variant"; } 2>&1 )" >> "$WORK/samples"
    done
  done
done
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
echo "Class sharing and the load-time hook, $APP app, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD), $RUNS rounds, load average $LOAD_BEFORE before / $(cut -d' ' -f1-3 /proc/loadavg) after"
echo
echo "| JDK | variant | wall | CPU | x empty (wall / CPU) | x empty+cache (wall / CPU) | classes not from an archive |"
echo "|---|---|---|---|---|---|---|"
for jdk in 17 25; do
  ew=$(awk -v j=$jdk '$1==j && $2=="empty" {print $3*1000}' "$WORK/samples" | median)
  ec=$(awk -v j=$jdk '$1==j && $2=="empty" {print ($4+$5)*1000}' "$WORK/samples" | median)
  cw=$(awk -v j=$jdk '$1==j && $2=="empty+cache" {print $3*1000}' "$WORK/samples" | median)
  cc=$(awk -v j=$jdk '$1==j && $2=="empty+cache" {print ($4+$5)*1000}' "$WORK/samples" | median)
  for variant in $VARIANTS; do
    w=$(awk -v j=$jdk -v v="$variant" '$1==j && $2==v {print $3*1000}' "$WORK/samples" | median)
    c=$(awk -v j=$jdk -v v="$variant" '$1==j && $2==v {print ($4+$5)*1000}' "$WORK/samples" | median)
    run "$jdk" "$variant" -Xlog:class+load:file="$WORK/classes.log"
    unshared=$(grep -vc 'shared objects file' "$WORK/classes.log" || true)
    awk -v j=$jdk -v v="$variant" -v w="$w" -v c="$c" -v ew="$ew" -v ec="$ec" -v cw="$cw" -v cc="$cc" -v u="$unshared" \
      'BEGIN {printf "| %s | %s | %.0f ms | %.0f ms | %.2fx / %.2fx | %.2fx / %.2fx | %d |\n", j, v, w, c, w/ew, c/ec, w/cw, c/cc, u}'
  done
done
