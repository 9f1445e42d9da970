#!/usr/bin/env bash
# Agent start-up benchmark. Paired whole-process runs: every round runs every variant once, interleaved, so all
# variants see the same machine state; medians over the rounds. Per JDK (17 and 25):
#   apps      tiny  = agent/bench/TinyServer.java  (new ServerSocket(P), report, exit)
#             netty = agent/bench/NettyServer.java (Netty 4.2 NIO ServerBootstrap on P, report, exit)
#   variants  bare, empty (-javaagent whose premain does nothing: the floor any agent pays),
#             warm (this agent, embedded store, state directory and rewrite cache used before),
#             cold (this agent, a fresh state directory every run: no rewrite cache, no claims file; tiny only),
#             redis (this agent with a Redis store: a local redis-server the script starts and stops)
# Times: "whole" = exec to exit, "listening" = exec until the app's socket is bound (the app prints the clock).
# Peak RSS (VmHWM) when the app listens, and for the tiny app with Redis also after 3 s up (the Redis client,
# deferred 2 s after start, has loaded by then), minus bare.
#
# Usage (repo root): agent/bench/startup.sh [rounds, default 11]
# Builds the agent first (mvn -B -q -DskipTests package, never install) when its jar or the Netty app's class path
# is missing. JDK17_HOME / JDK25_HOME override the JDKs. Needs redis-server on the PATH.
set -euo pipefail
RUNS=${1:-11}
. "$(dirname "$0")/lib.sh"
HOLD_MS=3000
HOLD_ROUNDS=3
if [ ! -f "$AGENT" ] || [ ! -f "$NETTY_CP_FILE" ]; then
  echo "building the agent: mvn -B -q -DskipTests package" >&2
  (cd "$ROOT" && mvn -B -q -DskipTests package) >&2
fi

make_work
compile_apps "$WORK/classes"
build_premain_jar EmptyAgent "$WORK/empty-agent.jar"

start_redis

# The apps and variants of the tables. The host-wide tool row (javac with the agent, skipped in premain) comes from
# agent/bench/tools.sh, run at the end.
APPS="tiny netty"
variants_of() { [ "$1" = tiny ] && echo "bare empty warm cold redis" || echo "bare empty warm redis"; }

variant_options() { # jdk app variant round
  case "$3" in
    bare) echo "" ;;
    empty) echo "-javaagent:$WORK/empty-agent.jar" ;;
    warm) echo "-javaagent:$AGENT=service=bench-$2,type=ml,stateDir=$WORK/state-$1-$2" ;;
    cold) echo "-javaagent:$AGENT=service=bench-$2,type=ml,stateDir=$WORK/cold-$1-$2-$4" ;;
    redis) echo "-javaagent:$AGENT=service=bench-$2,type=ml,stateDir=$WORK/redis-$1-$2,store=redis://127.0.0.1:$REDIS_PORT" ;;
  esac
}

PORT=21000
run() { # jdk app variant round [hold] -> "listening-us whole-us rss-kB [held-rss-kB]"
  PORT=$((PORT + 1))
  local start end out
  start=$(date +%s%6N)
  # shellcheck disable=SC2046
  out=$("$(jdk_home "$1")/bin/java" $(variant_options "$1" "$2" "$3" "$4") $(native_access "$1" "$2") \
    $(app_command "$2" "$WORK/classes") "$PORT" ${5:-} 2>>"$WORK/stderr.log") || true
  end=$(date +%s%6N)
  local line held
  line=$(grep '^LISTENING' <<<"$out" || true)
  [ -n "$line" ] || { echo "no LISTENING from JDK $1 $2 $3:" >&2; tail -20 "$WORK/stderr.log" >&2; exit 1; }
  held=$(awk '/^HELD/ {print $2}' <<<"$out")
  awk -v s="$start" -v e="$end" -v h="$held" '{print $3 - s, e - s, $4, h}' <<<"$line"
}

runs_begin
for jdk in 17 25; do # warm-up: the warm and Redis variants' state directories and rewrite caches
  for app in $APPS; do run "$jdk" "$app" warm 0 >/dev/null; run "$jdk" "$app" redis 0 >/dev/null; done
done
for ((r = 1; r <= RUNS; r++)); do
  for jdk in 17 25; do
    for app in $APPS; do
      for variant in $(variants_of "$app"); do
        sample "$jdk" "$app" "$variant" "$(run "$jdk" "$app" "$variant" "$r")"
      done
      if [ "$app" = tiny ] && [ "$r" -le "$HOLD_ROUNDS" ]; then
        sample "$jdk" "$app" redis-held "$(run "$jdk" "$app" redis "$r" "$HOLD_MS")"
      fi
    done
  done
done

cell() { sample_median "\$$4" "$1" "$2" "$3"; } # jdk app variant column

header_line "Agent start-up" "$(git -C "$ROOT" diff --quiet HEAD -- agent src bootstrap || echo ' (modified)') (agent jar built $(agent_jar_built))"
echo "JDK 17: $("$JDK17/bin/java" -version 2>&1 | head -1); JDK 25: $("$JDK25/bin/java" -version 2>&1 | head -1)"
for metric in whole listening; do
  col=5; title="Whole process (exec to exit)"
  [ "$metric" = listening ] && { col=4; title="Until listening (exec to the bound socket)"; }
  echo
  echo "$title, median ms (x empty -javaagent / x bare):"
  echo
  table_head app JDK bare "empty -javaagent" "agent, warm" "agent, cold" "agent, Redis"
  for app in $APPS; do
    for jdk in 17 25; do
      b=$(cell $jdk $app bare $col); e=$(cell $jdk $app empty $col)
      row="| $app | $jdk | $(awk -v b="$b" 'BEGIN {printf "%.0f", b/1000}')"
      row="$row | $(awk -v e="$e" -v b="$b" 'BEGIN {printf "%.0f (%.2fx bare)", e/1000, e/b}')"
      for variant in warm cold redis; do
        t=$(cell $jdk $app $variant $col)
        if [ "$t" = nan ]; then row="$row | -"; else
          row="$row | $(awk -v t="$t" -v e="$e" -v b="$b" 'BEGIN {printf "%.0f (%.2fx / %.2fx)", t/1000, t/e, t/b}')"
        fi
      done
      echo "$row |"
    done
  done
done
echo
echo "Peak RSS (VmHWM) added over bare, median MiB (Redis client running: tiny app after ${HOLD_MS} ms up, $HOLD_ROUNDS rounds):"
echo
table_head app JDK "empty -javaagent" "agent, warm" "agent, cold" "agent, Redis (at listening)" "agent, Redis client running"
for app in $APPS; do
  for jdk in 17 25; do
    b=$(cell $jdk $app bare 6)
    row="| $app | $jdk"
    for variant in empty warm cold redis; do
      m=$(cell $jdk $app $variant 6)
      if [ "$m" = nan ]; then row="$row | -"; else row="$row | $(awk -v m="$m" -v b="$b" 'BEGIN {printf "%+.1f", (m-b)/1024}')"; fi
    done
    h=$(cell $jdk $app redis-held 7)
    if [ "$h" = nan ]; then row="$row | -"; else row="$row | $(awk -v m="$h" -v b="$b" 'BEGIN {printf "%+.1f", (m-b)/1024}')"; fi
    echo "$row |"
  done
done
if grep -v '^\[portmanager\]' "$WORK/stderr.log" | grep -q .; then
  echo; echo "stderr other than [portmanager] lines:"; grep -v '^\[portmanager\]' "$WORK/stderr.log" | sort | uniq -c | head
fi

# The host-wide tool row (issue 11): javac with the agent in JAVA_TOOL_OPTIONS, skipped in premain.
"$BENCH/tools.sh" "$RUNS"
