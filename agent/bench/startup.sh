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
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
AGENT=$ROOT/agent/target/portmanager-agent.jar
NETTY_CP_FILE=$ROOT/agent/target/bench-netty.classpath
JDK17=${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
HOLD_MS=3000
HOLD_ROUNDS=3
if [ ! -f "$AGENT" ] || [ ! -f "$NETTY_CP_FILE" ]; then
  echo "building the agent: mvn -B -q -DskipTests package" >&2
  (cd "$ROOT" && mvn -B -q -DskipTests package) >&2
fi
NETTY_CP=$(cat "$NETTY_CP_FILE")

WORK=$(mktemp -d /tmp/pm-startup.XXXXXX)
REDIS_PID=
cleanup() {
  if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$JDK17/bin/javac" -XDsuppressNotes --release 17 -d "$WORK/classes" -cp "$NETTY_CP" "$ROOT/agent/bench/TinyServer.java" \
  "$ROOT/agent/bench/NettyServer.java"
"$JDK17/bin/javac" --release 17 -d "$WORK/empty" "$ROOT/agent/bench/EmptyAgent.java"
printf 'Premain-Class: EmptyAgent\n' > "$WORK/empty.mf"
"$JDK17/bin/jar" cfm "$WORK/empty-agent.jar" "$WORK/empty.mf" -C "$WORK/empty" .

REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

# The apps and variants of the tables. The host-wide tool row (javac with the agent, skipped in premain) comes from
# agent/bench/tools.sh, run at the end.
APPS="tiny netty"
variants_of() { [ "$1" = tiny ] && echo "bare empty warm cold redis" || echo "bare empty warm redis"; }

app_command() { # app -> class path and main class
  case "$1" in
    tiny) echo "-cp $WORK/classes TinyServer" ;;
    netty) echo "-cp $WORK/classes:$NETTY_CP NettyServer" ;;
  esac
}

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
  local home=$JDK17 extra=""
  [ "$1" = 25 ] && home=$JDK25
  [ "$2" = netty ] && [ "$1" = 25 ] && extra="--enable-native-access=ALL-UNNAMED"
  PORT=$((PORT + 1))
  local start end out
  start=$(date +%s%6N)
  # shellcheck disable=SC2046
  out=$("$home/bin/java" $(variant_options "$1" "$2" "$3" "$4") $extra $(app_command "$2") "$PORT" ${5:-} \
    2>>"$WORK/stderr.log") || true
  end=$(date +%s%6N)
  local line held
  line=$(grep '^LISTENING' <<<"$out" || true)
  [ -n "$line" ] || { echo "no LISTENING from JDK $1 $2 $3:" >&2; tail -20 "$WORK/stderr.log" >&2; exit 1; }
  held=$(awk '/^HELD/ {print $2}' <<<"$out")
  awk -v s="$start" -v e="$end" -v h="$held" '{print $3 - s, e - s, $4, h}' <<<"$line"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
for jdk in 17 25; do # warm-up: the warm and Redis variants' state directories and rewrite caches
  for app in $APPS; do run "$jdk" "$app" warm 0 >/dev/null; run "$jdk" "$app" redis 0 >/dev/null; done
done
for ((r = 1; r <= RUNS; r++)); do
  for jdk in 17 25; do
    for app in $APPS; do
      for variant in $(variants_of "$app"); do
        echo "$jdk $app $variant $(run "$jdk" "$app" "$variant" "$r")" >> "$WORK/samples"
      done
      if [ "$app" = tiny ] && [ "$r" -le "$HOLD_ROUNDS" ]; then
        echo "$jdk $app redis-held $(run "$jdk" "$app" redis "$r" "$HOLD_MS")" >> "$WORK/samples"
      fi
    done
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
cell() { awk -v j="$1" -v a="$2" -v v="$3" -v c="$4" '$1==j && $2==a && $3==v {print $c}' "$WORK/samples" | median; }

echo "Agent start-up, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $COMMIT$(git -C "$ROOT" diff --quiet HEAD -- agent src bootstrap || echo ' (modified)') (agent jar built $(date -u -r "$AGENT" '+%H:%M UTC')), $RUNS rounds, load average $LOAD_BEFORE before / $LOAD_AFTER after"
echo "JDK 17: $("$JDK17/bin/java" -version 2>&1 | head -1); JDK 25: $("$JDK25/bin/java" -version 2>&1 | head -1)"
for metric in whole listening; do
  col=5; title="Whole process (exec to exit)"
  [ "$metric" = listening ] && { col=4; title="Until listening (exec to the bound socket)"; }
  echo
  echo "$title, median ms (x empty -javaagent / x bare):"
  echo
  echo "| app | JDK | bare | empty -javaagent | agent, warm | agent, cold | agent, Redis |"
  echo "|---|---|---|---|---|---|---|"
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
echo "| app | JDK | empty -javaagent | agent, warm | agent, cold | agent, Redis (at listening) | agent, Redis client running |"
echo "|---|---|---|---|---|---|---|"
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
"$ROOT/agent/bench/tools.sh" "$RUNS"
