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
. "$(dirname "$0")/lib.sh"
require_agent_jar "mvn -B -q -DskipTests package"
make_work

APP=${APP:-tiny}
compile_apps "$WORK/app"
"$JDK17/bin/jar" cf "$WORK/app.jar" -C "$WORK/app" .
VARIANTS="empty hook agent empty+cache agent+cache"
[ "$APP" = netty ] && VARIANTS="bare $VARIANTS"
for agent in EmptyAgent NoopTransformerAgent; do build_premain_jar "$agent" "$WORK/$agent.jar"; done

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
  local jdk=$1 variant=$2; shift 2
  # shellcheck disable=SC2046
  "$(jdk_home "$jdk")/bin/java" $(cache_use "$variant" "$jdk") $(agent_of "$variant" "$jdk") $(native_access "$jdk" "$APP") \
    "$@" $(app_command "$APP" "$WORK/app.jar") 23001 >/dev/null 2>>"$WORK/stderr.log"
}
for jdk in 17 25; do # warm the agent's state directory, then train an archive for each cached variant
  run "$jdk" agent
  for base in empty agent; do
    if [ "$jdk" = 25 ]; then run "$jdk" "$base" -XX:AOTCacheOutput="$WORK/$base-25.aot"
    else run "$jdk" "$base" $TEST_ONLY -XX:ArchiveClassesAtExit="$WORK/$base-17.jsa"; fi
  done
done

timed_rounds
header_line "Class sharing and the load-time hook, $APP app"
echo
table_head JDK variant wall CPU "x empty (wall / CPU)" "x empty+cache (wall / CPU)" "classes not from an archive"
for jdk in 17 25; do
  ew=$(sample_median '$3*1000' "$jdk" empty)
  ec=$(sample_median '($4+$5)*1000' "$jdk" empty)
  cw=$(sample_median '$3*1000' "$jdk" empty+cache)
  cc=$(sample_median '($4+$5)*1000' "$jdk" empty+cache)
  for variant in $VARIANTS; do
    w=$(sample_median '$3*1000' "$jdk" "$variant")
    c=$(sample_median '($4+$5)*1000' "$jdk" "$variant")
    read -r _ unshared <<<"$(class_counts "$jdk" "$variant")"
    awk -v j=$jdk -v v="$variant" -v w="$w" -v c="$c" -v ew="$ew" -v ec="$ec" -v cw="$cw" -v cc="$cc" -v u="$unshared" \
      'BEGIN {printf "| %s | %s | %.0f ms | %.0f ms | %.2fx / %.2fx | %.2fx / %.2fx | %d |\n", j, v, w, c, w/ew, c/ec, w/cw, c/cc, u}'
  done
done
