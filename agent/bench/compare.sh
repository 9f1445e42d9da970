#!/usr/bin/env bash
# Compares this agent with the agent built from another commit (the baseline), in the same session, runs
# interleaved: start-up of the tiny app (JVM start until it listens, TinyServer.java) and the bind path (BindChurn:
# 200 bind+close cycles of one hardcoded port, after a first bind). Medians of N runs on JDK 17 and 25.
#
# Usage (repo root, after `mvn -pl agent -am package -DskipTests`):  agent/bench/compare.sh <baseline commit> [runs]
# The baseline is built in a temporary clone (mvn package, never install).
set -euo pipefail
BASE=${1:?baseline commit}
RUNS=${2:-11}
# This script's JDK 17 has always been the java on the PATH (lib.sh's default: /usr/lib/jvm/java-17-openjdk-amd64).
JDK17_HOME=${JDK17_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
. "$(dirname "$0")/lib.sh"
require_agent_jar "mvn -pl agent -am package -DskipTests"
make_work

git clone -q --shared "$ROOT" "$WORK/base"
git -C "$WORK/base" checkout -q "$BASE"
(cd "$WORK/base" && mvn -B -q -o -pl agent -am package -DskipTests >/dev/null)
OLD=$WORK/base/agent/target/portmanager-agent.jar

compile_bench "$WORK/classes" "" TinyServer BindChurn
PORT=22000
for ((r = 1; r <= RUNS; r++)); do
  for jdk in 17 25; do
    home=$(jdk_home "$jdk")
    for variant in base new; do
      jar=$OLD; [ "$variant" = new ] && jar=$AGENT
      PORT=$((PORT + 1))
      agent="-javaagent:$jar=service=cmp-$variant,type=ml,stateDir=$WORK/state-$variant-$jdk"
      start=$(date +%s%6N)
      line=$("$home/bin/java" "$agent" -cp "$WORK/classes" TinyServer "$PORT" 2>>"$WORK/stderr.log" | grep '^LISTENING')
      set -- $line
      sample "$jdk" startup "$variant" $(( $3 - start ))
      line=$("$home/bin/java" "$agent" -cp "$WORK/classes" BindChurn "$PORT" 200 2>>"$WORK/stderr.log" | grep '^CHURN')
      set -- $line
      sample "$jdk" churn "$variant" $(( $3 / $2 ))
    done
  done
done
table_head JDK "start-up, baseline" "start-up, this" ratio "bind+close, baseline" "bind+close, this" ratio
for jdk in 17 25; do
  sb=$(sample_median '$4' "$jdk" startup base)
  sn=$(sample_median '$4' "$jdk" startup new)
  cb=$(sample_median '$4' "$jdk" churn base)
  cn=$(sample_median '$4' "$jdk" churn new)
  awk -v j=$jdk -v sb=$sb -v sn=$sn -v cb=$cb -v cn=$cn 'BEGIN {
    printf "| %s | %.0f ms | %.0f ms | %.2fx | %.0f us | %.0f us | %.2fx |\n", j, sb/1000, sn/1000, sn/sb, cb, cn, cn/cb }'
done
if grep -v '^\[portmanager\]' "$WORK/stderr.log" | grep -q .; then
  echo; echo "stderr other than [portmanager] lines:"; sort "$WORK/stderr.log" | uniq -c | head
fi
