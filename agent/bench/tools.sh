#!/usr/bin/env bash
# The host-wide tool row (issue 11): what a JDK tool pays when JAVA_TOOL_OPTIONS carries the agent for every JVM
# on the host. javac compiling one file, whole process (start to exit), median of N runs, interleaved so every
# variant sees the same machine state. Variants: bare (no JAVA_TOOL_OPTIONS), an empty -javaagent (the floor),
# this agent; the ratio is this agent over the empty one. Also the classes each variant loads (-Xlog:class+load,
# one run): the skipped agent should load only its launcher and the check.
#
# Usage (repo root, after `mvn -pl agent -am package -DskipTests`):  agent/bench/tools.sh [runs]
# startup.sh runs it at its end; it also runs on its own.
set -euo pipefail
RUNS=${1:-10}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
AGENT=$ROOT/agent/target/portmanager-agent.jar
JDK17=${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -f "$AGENT" ] || { echo "no $AGENT: run mvn -pl agent -am package -DskipTests first" >&2; exit 1; }

TOOLS_WORK=$(mktemp -d /tmp/pm-tools.XXXXXX)
trap 'rm -rf "$TOOLS_WORK"' EXIT
"$JDK17/bin/javac" --release 17 -d "$TOOLS_WORK/empty" "$ROOT/agent/bench/EmptyAgent.java"
printf 'Premain-Class: EmptyAgent\n' > "$TOOLS_WORK/empty.mf"
"$JDK17/bin/jar" cfm "$TOOLS_WORK/empty-agent.jar" "$TOOLS_WORK/empty.mf" -C "$TOOLS_WORK/empty" .
printf 'public class Hello {\n    public static void main(String[] a) { System.out.println("hello"); }\n}\n' \
  > "$TOOLS_WORK/Hello.java"

tool_options() { # variant jdk
  case "$1" in
    bare) echo "" ;;
    empty) echo "-javaagent:$TOOLS_WORK/empty-agent.jar" ;;
    agent) echo "-javaagent:$AGENT=stateDir=$TOOLS_WORK/state-$2" ;;
  esac
}

run_javac() { # jdk variant [extra JAVA_TOOL_OPTIONS]
  local home=$JDK17; [ "$1" = 25 ] && home=$JDK25
  local opts; opts="$(tool_options "$2" "$1") ${3:-}"
  if [ -n "${opts// /}" ]; then
    JAVA_TOOL_OPTIONS=$opts "$home/bin/javac" -d "$TOOLS_WORK/out-$1" "$TOOLS_WORK/Hello.java" 2>>"$TOOLS_WORK/stderr.log"
  else
    env -u JAVA_TOOL_OPTIONS "$home/bin/javac" -d "$TOOLS_WORK/out-$1" "$TOOLS_WORK/Hello.java" 2>>"$TOOLS_WORK/stderr.log"
  fi
}

# Wall time and CPU time (user + system, all threads): on a loaded machine the CPU time is the steadier figure.
TIMEFORMAT='%3R %3U %3S'
for ((r = 1; r <= RUNS; r++)); do
  for jdk in 17 25; do
    for variant in bare empty agent; do
      read -r wall user sys < <({ time run_javac "$jdk" "$variant"; } 2>&1)
      echo "$jdk $variant $wall $(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')" >> "$TOOLS_WORK/samples"
    done
  done
done

tools_median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
classes() { # jdk variant: classes loaded by one javac run
  rm -f "$TOOLS_WORK/classes.log"
  run_javac "$1" "$2" "-Xlog:class+load:file=$TOOLS_WORK/classes.log"
  grep -c 'class,load' "$TOOLS_WORK/classes.log"
}
echo "| host-wide tool: javac, one file | JDK | wall: bare / empty -javaagent / this agent (skipped) | CPU: bare / empty / this agent | classes loaded (bare / empty / agent) |"
echo "|---|---|---|---|---|"
for jdk in 17 25; do
  declare -A t c
  for variant in bare empty agent; do
    t[$variant]=$(awk -v j=$jdk -v v=$variant '$1==j && $2==v {print $3}' "$TOOLS_WORK/samples" | tools_median)
    c[$variant]=$(awk -v j=$jdk -v v=$variant '$1==j && $2==v {print $4}' "$TOOLS_WORK/samples" | tools_median)
  done
  awk -v jdk=$jdk -v b=${t[bare]} -v e=${t[empty]} -v g=${t[agent]} -v cb=${c[bare]} -v ce=${c[empty]} \
      -v cg=${c[agent]} -v nb="$(classes $jdk bare)" -v ne="$(classes $jdk empty)" -v ng="$(classes $jdk agent)" 'BEGIN {
    printf "| javac Hello.java | %s | %.0f / %.0f / %.0f ms (%.3fx the empty agent) | %.0f / %.0f / %.0f ms (%.3fx) | %d / %d / %d |\n",
      jdk, b*1000, e*1000, g*1000, g/e, cb*1000, ce*1000, cg*1000, cg/ce, nb, ne, ng }'
done
for jdk in 17 25; do
  [ ! -e "$TOOLS_WORK/state-$jdk" ] || echo "UNEXPECTED: the skipped agent created $TOOLS_WORK/state-$jdk"
done
if grep -v '^Picked up JAVA_TOOL_OPTIONS' "$TOOLS_WORK/stderr.log" | grep -q .; then
  echo; echo "stderr other than the JVM's 'Picked up' lines:"; sort "$TOOLS_WORK/stderr.log" | uniq -c | head
fi
