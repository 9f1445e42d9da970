#!/usr/bin/env bash
# The start-up floor: what the least an agent with this one's duties must do costs, step by step, beside this agent.
# Tiny app (agent/bench/TinyServer.java, from a jar), paired rounds, medians of wall (exec to exit) and CPU (user +
# system) time, per JDK:
#   empty     an empty -javaagent (the floor of the start-up goals)
#   hook      agent/bench/FloorAgent.java registering one transformer that changes nothing
#   rewrite   + ServerSocket handed back as bytes read from a file cache (what a cached rewrite costs the JVM)
#   bridge    + java.net opened to the agent and this agent's bridge class defined into java.base
#   claim     + the port's record in a shared claims file locked, read, written, a liveness byte held, released at exit
#   agent     this agent, warm (state directory and rewrite cache used before)
# Each FloorAgent row adds its step to the row above. The app's port is free, so this agent grants it.
# Then two more floors:
#   the first claim's time on the app's thread: FloorAgent's claim (-Dfloor.report=true) against this agent's "bind
#     of P decided in" line (-Dportmanager.debug=true), 7 runs per JDK;
#   the Redis client's memory: peak RSS after 3 s up of agent/bench/LettuceClientServer.java without any agent (a
#     Lettuce client, one connection, one write and one read, to a redis-server of the script's own) and of the tiny
#     app with this agent and a Redis store, over the same app holding without a client, 3 runs per JDK.
#
# APP=netty runs the Netty app (agent/bench/NettyServer.java) instead, with bare (no agent) as the first row, and only
# the first table.
#
# Usage (repo root, after mvn -B -q -DskipTests package): [APP=netty] agent/bench/floor.sh [rounds, default 15]
set -euo pipefail
RUNS=${1:-15}
. "$(dirname "$0")/lib.sh"
require_agent_jar "mvn -B -q -DskipTests package"
make_work

compile_apps "$WORK/app"
"$JDK17/bin/jar" cf "$WORK/app.jar" -C "$WORK/app" .
build_premain_jar EmptyAgent "$WORK/EmptyAgent.jar"
build_premain_jar FloorAgent "$WORK/FloorAgent.jar"
# FloorAgent carries the real bridge's bytes as a resource.
unzip -p "$AGENT" inst/java/net/PortManagerBridge.classdata > "$WORK/bridge.classdata"
"$JDK17/bin/jar" uf "$WORK/FloorAgent.jar" -C "$WORK" bridge.classdata
compile_lettuce_app "$WORK/app"

PORT=23001
APP=${APP:-tiny}
VARIANTS="empty hook rewrite bridge claim agent"
[ "$APP" = netty ] && VARIANTS="bare $VARIANTS"
agent_of() { # variant jdk
  local floor="-javaagent:$WORK/FloorAgent.jar=dir=$WORK/floor-$2,port=$PORT,steps"
  case "$1" in
    bare) ;;
    empty) echo "-javaagent:$WORK/EmptyAgent.jar" ;;
    hook) echo "$floor=hook" ;;
    rewrite) echo "$floor=hook+rewrite" ;;
    bridge) echo "$floor=hook+rewrite+bridge" ;;
    claim) echo "$floor=hook+rewrite+bridge+claim" ;;
    agent) echo "-javaagent:$AGENT=service=bench,type=ml,stateDir=$WORK/state-$2" ;;
  esac
}
run() { # jdk variant [extra options...]
  local jdk=$1 variant=$2; shift 2
  # shellcheck disable=SC2046
  "$(jdk_home "$jdk")/bin/java" $(agent_of "$variant" "$jdk") $(native_access "$jdk" "$APP") "$@" \
    $(app_command "$APP" "$WORK/app.jar") $PORT \
    >/dev/null 2>>"$WORK/stderr.log"
}
for jdk in 17 25; do # warm both rewrite caches and state directories
  mkdir -p "$WORK/floor-$jdk"
  run "$jdk" claim
  run "$jdk" agent
done

timed_rounds
header_line "The start-up floor, $APP app"
echo
# The Netty goal is against bare: its table has that ratio too (the row of the variant the ratio is to, "base").
base=empty
[ "$APP" = netty ] && base=bare
table_head JDK variant wall CPU "x $base (wall / CPU)" "classes loaded" "classes not from the CDS archive"
for jdk in 17 25; do
  bw=$(sample_median '$3*1000' "$jdk" $base)
  bc=$(sample_median '($4+$5)*1000' "$jdk" $base)
  for variant in $VARIANTS; do
    w=$(sample_median '$3*1000' "$jdk" "$variant")
    c=$(sample_median '($4+$5)*1000' "$jdk" "$variant")
    read -r all unshared <<<"$(class_counts "$jdk" "$variant")"
    awk -v j=$jdk -v v="$variant" -v w="$w" -v c="$c" -v bw="$bw" -v bc="$bc" -v a="$all" -v u="$unshared" \
      'BEGIN {printf "| %s | %s | %.0f ms | %.0f ms | %.2fx / %.2fx | %d | %d |\n", j, v, w, c, w/bw, c/bc, a, u}'
  done
done
if grep -q . "$WORK/stderr.log"; then
  echo
  echo "stderr of the runs (first lines):"
  head -5 "$WORK/stderr.log"
fi
[ "$APP" = tiny ] || exit 0

echo
echo "The first claim on the app's thread, median of 7 runs (FloorAgent: the claim in premain; this agent: \"bind of"
echo "$PORT decided in\", which waits for its core to open when the bind comes first):"
echo
table_head JDK "FloorAgent claim" "this agent's decision"
for jdk in 17 25; do
  floor=$(for _ in 1 2 3 4 5 6 7; do
    "$(jdk_home "$jdk")/bin/java" -Dfloor.report=true $(agent_of claim "$jdk") $(app_command tiny "$WORK/app.jar") $PORT
  done | awk '/^CLAIMED/ {print $2}' | median)
  ours=$(for _ in 1 2 3 4 5 6 7; do
    "$(jdk_home "$jdk")/bin/java" -Dportmanager.debug=true $(agent_of agent "$jdk") $(app_command tiny "$WORK/app.jar") $PORT 2>&1
  done | awk '/decided in/ {print $(NF-1)}' | median)
  echo "| $jdk | $floor us | $ours us |"
done

start_redis
HOLD_MS=3000
held() { # jdk command... -> the HELD figure in kB
  local jdk=$1; shift
  "$(jdk_home "$jdk")/bin/java" "$@" | awk '/^HELD/ {print $2}'
}
echo
echo "Peak RSS (VmHWM) after ${HOLD_MS} ms up, over the same app holding without a Redis client, median of 3 runs, MiB:"
echo
table_head JDK "Lettuce client, no agent" "this agent with a Redis store"
for jdk in 17 25; do
  for _ in 1 2 3; do
    sample "$jdk" held-none "$(held "$jdk" -cp "$LETTUCE_CP" LettuceClientServer $PORT - $HOLD_MS)"
    sample "$jdk" held-lettuce "$(held "$jdk" -cp "$LETTUCE_CP" LettuceClientServer $PORT redis://127.0.0.1:$REDIS_PORT $HOLD_MS 2>/dev/null)"
    sample "$jdk" held-agent "$(held "$jdk" "-javaagent:$AGENT=service=bench,type=ml,stateDir=$WORK/state-$jdk,store=redis://127.0.0.1:$REDIS_PORT" \
      $(app_command tiny "$WORK/app.jar") $PORT $HOLD_MS 2>/dev/null)"
  done
  b=$(sample_median '$3' "$jdk" held-none)
  l=$(sample_median '$3' "$jdk" held-lettuce)
  a=$(sample_median '$3' "$jdk" held-agent)
  awk -v j="$jdk" -v b="$b" -v l="$l" -v a="$a" 'BEGIN {printf "| %s | %+.1f | %+.1f |\n", j, (l-b)/1024, (a-b)/1024}'
done
