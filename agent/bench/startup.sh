#!/usr/bin/env bash
# Agent start-up benchmark: time from JVM start until the app listens (the app prints the wall clock when its
# server socket is bound; the script notes the clock just before exec), median of N runs, interleaved so every
# variant sees the same machine state. Variants: bare, an empty -javaagent (the floor), this agent on the
# embedded store, this agent with Redis configured. Apps: a tiny ServerSocket app and a Netty NIO app.
# Peak RSS is the app's VmHWM at the moment it listens.
#
# Usage (repo root, after `mvn -pl agent -am package -DskipTests`):  agent/bench/startup.sh [runs]
set -euo pipefail
RUNS=${1:-10}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
AGENT=$ROOT/agent/target/portmanager-agent.jar
JDK17=${JDK17_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
JDK25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -f "$AGENT" ] || { echo "no $AGENT: run mvn -pl agent -am package -DskipTests first" >&2; exit 1; }

WORK=$(mktemp -d /tmp/pm-startup.XXXXXX)
REDIS_PID=
cleanup() {
  [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

NETTY_CP=$(cd "$ROOT" && mvn -q -pl agent dependency:build-classpath -DincludeScope=test \
  -DincludeGroupIds=io.netty -DexcludeArtifactIds=netty-transport-native-epoll,netty-transport-classes-epoll -Dmdep.outputFile="$WORK/netty.cp" >/dev/null && cat "$WORK/netty.cp")
"$JDK17/bin/javac" -q 2>/dev/null || true
"$JDK17/bin/javac" --release 17 -d "$WORK/classes" -cp "$NETTY_CP" "$ROOT/agent/bench/TinyServer.java" \
  "$ROOT/agent/bench/NettyServer.java"
"$JDK17/bin/javac" --release 17 -d "$WORK/empty" "$ROOT/agent/bench/EmptyAgent.java"
printf 'Premain-Class: EmptyAgent\n' > "$WORK/empty.mf"
"$JDK17/bin/jar" cfm "$WORK/empty-agent.jar" "$WORK/empty.mf" -C "$WORK/empty" .

REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
sleep 0.3

variant_opts() { # jdk app variant
  case "$3" in
    bare) echo "" ;;
    empty) echo "-javaagent:$WORK/empty-agent.jar" ;;
    agent) echo "-javaagent:$AGENT=service=bench-$2,type=ml,stateDir=$WORK/state-$1" ;;
    redis) echo "-javaagent:$AGENT=service=bench-$2,type=ml,stateDir=$WORK/state-redis-$1,store=redis://127.0.0.1:$REDIS_PORT" ;;
  esac
}

PORT=21000
for ((r = 1; r <= RUNS; r++)); do
  for jdk in 17 25; do
    home=$JDK17; [ "$jdk" = 25 ] && home=$JDK25
    for app in tiny netty; do
      main=TinyServer; cp="$WORK/classes"
      [ "$app" = netty ] && { main=NettyServer; cp="$WORK/classes:$NETTY_CP"; }
      [ "$app" = netty ] && [ "$jdk" = 25 ] && extra="--enable-native-access=ALL-UNNAMED" || extra=""
      for variant in bare empty agent redis; do
        PORT=$((PORT + 1))
        opts=$(variant_opts "$jdk" "$app" "$variant")
        start=$(date +%s%6N)
        # shellcheck disable=SC2086
        line=$("$home/bin/java" $opts $extra -cp "$cp" "$main" "$PORT" 2>>"$WORK/stderr.log" | grep '^LISTENING' || true)
        [ -n "$line" ] || { echo "no LISTENING from $jdk $app $variant" >&2; cat "$WORK/stderr.log" >&2; exit 1; }
        set -- $line
        echo "$jdk $app $variant $(( $3 - start )) $4" >> "$WORK/samples"
      done
    done
  done
done

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
echo "| app | JDK | bare | empty -javaagent | agent, embedded | agent, Redis | peak RSS added (embedded / Redis) |"
echo "|---|---|---|---|---|---|---|"
for app in tiny netty; do
  for jdk in 17 25; do
    declare -A t m
    for variant in bare empty agent redis; do
      t[$variant]=$(awk -v j=$jdk -v a=$app -v v=$variant '$1==j && $2==a && $3==v {print $4}' "$WORK/samples" | median)
      m[$variant]=$(awk -v j=$jdk -v a=$app -v v=$variant '$1==j && $2==a && $3==v {print $5}' "$WORK/samples" | median)
    done
    awk -v app=$app -v jdk=$jdk -v b=${t[bare]} -v e=${t[empty]} -v g=${t[agent]} -v r=${t[redis]} \
        -v mb=${m[bare]} -v mg=${m[agent]} -v mr=${m[redis]} 'BEGIN {
      printf "| %s | %s | %.0f ms | %.0f ms (%.2fx) | %.0f ms (%.2fx) | %.0f ms (%.2fx) | +%.1f / +%.1f MiB |\n",
        app, jdk, b/1000, e/1000, e/b, g/1000, g/b, r/1000, r/b, (mg-mb)/1024, (mr-mb)/1024 }'
  done
done
if grep -v '^\[portmanager\]' "$WORK/stderr.log" | grep -q .; then
  echo; echo "stderr other than [portmanager] lines:"; sort "$WORK/stderr.log" | uniq -c | head
fi

# The host-wide tool row (issue 11): javac with the agent in JAVA_TOOL_OPTIONS, skipped in premain.
"$ROOT/agent/bench/tools.sh" "$RUNS"
