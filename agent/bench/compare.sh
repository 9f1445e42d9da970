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
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NEW=$ROOT/agent/target/portmanager-agent.jar
JDK17=${JDK17_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
JDK25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -f "$NEW" ] || { echo "no $NEW: run mvn -pl agent -am package -DskipTests first" >&2; exit 1; }
WORK=$(mktemp -d /tmp/pm-compare.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

git clone -q --shared "$ROOT" "$WORK/base"
git -C "$WORK/base" checkout -q "$BASE"
(cd "$WORK/base" && mvn -B -q -o -pl agent -am package -DskipTests >/dev/null)
OLD=$WORK/base/agent/target/portmanager-agent.jar

"$JDK17/bin/javac" --release 17 -d "$WORK/classes" "$ROOT/agent/bench/TinyServer.java" "$ROOT/agent/bench/BindChurn.java"
PORT=22000
for ((r = 1; r <= RUNS; r++)); do
  for jdk in 17 25; do
    home=$JDK17; [ "$jdk" = 25 ] && home=$JDK25
    for variant in base new; do
      jar=$OLD; [ "$variant" = new ] && jar=$NEW
      PORT=$((PORT + 1))
      agent="-javaagent:$jar=service=cmp-$variant,type=ml,stateDir=$WORK/state-$variant-$jdk"
      start=$(date +%s%6N)
      line=$("$home/bin/java" "$agent" -cp "$WORK/classes" TinyServer "$PORT" 2>>"$WORK/stderr.log" | grep '^LISTENING')
      set -- $line
      echo "$jdk startup $variant $(( $3 - start ))" >> "$WORK/samples"
      line=$("$home/bin/java" "$agent" -cp "$WORK/classes" BindChurn "$PORT" 200 2>>"$WORK/stderr.log" | grep '^CHURN')
      set -- $line
      echo "$jdk churn $variant $(( $3 / $2 ))" >> "$WORK/samples"
    done
  done
done
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
echo "| JDK | start-up, baseline | start-up, this | ratio | bind+close, baseline | bind+close, this | ratio |"
echo "|---|---|---|---|---|---|---|"
for jdk in 17 25; do
  sb=$(awk -v j=$jdk '$1==j && $2=="startup" && $3=="base" {print $4}' "$WORK/samples" | median)
  sn=$(awk -v j=$jdk '$1==j && $2=="startup" && $3=="new" {print $4}' "$WORK/samples" | median)
  cb=$(awk -v j=$jdk '$1==j && $2=="churn" && $3=="base" {print $4}' "$WORK/samples" | median)
  cn=$(awk -v j=$jdk '$1==j && $2=="churn" && $3=="new" {print $4}' "$WORK/samples" | median)
  awk -v j=$jdk -v sb=$sb -v sn=$sn -v cb=$cb -v cn=$cn 'BEGIN {
    printf "| %s | %.0f ms | %.0f ms | %.2fx | %.0f us | %.0f us | %.2fx |\n", j, sb/1000, sn/1000, sn/sb, cb, cn, cn/cb }'
done
if grep -v '^\[portmanager\]' "$WORK/stderr.log" | grep -q .; then
  echo; echo "stderr other than [portmanager] lines:"; sort "$WORK/stderr.log" | uniq -c | head
fi
