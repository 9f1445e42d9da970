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
. "$(dirname "$0")/lib.sh"
require_agent_jar "mvn -pl agent -am package -DskipTests"

make_work
build_premain_jar EmptyAgent "$WORK/empty-agent.jar"
printf 'public class Hello {\n    public static void main(String[] a) { System.out.println("hello"); }\n}\n' \
  > "$WORK/Hello.java"

tool_options() { # variant jdk
  case "$1" in
    bare) echo "" ;;
    empty) echo "-javaagent:$WORK/empty-agent.jar" ;;
    agent) echo "-javaagent:$AGENT=stateDir=$WORK/state-$2" ;;
  esac
}

run_javac() { # jdk variant [extra JAVA_TOOL_OPTIONS]
  local home; home=$(jdk_home "$1")
  local opts; opts="$(tool_options "$2" "$1") ${3:-}"
  if [ -n "${opts// /}" ]; then
    JAVA_TOOL_OPTIONS=$opts "$home/bin/javac" -d "$WORK/out-$1" "$WORK/Hello.java" 2>>"$WORK/stderr.log"
  else
    env -u JAVA_TOOL_OPTIONS "$home/bin/javac" -d "$WORK/out-$1" "$WORK/Hello.java" 2>>"$WORK/stderr.log"
  fi
}

# Wall time and CPU time (user + system, all threads): on a loaded machine the CPU time is the steadier figure.
TIMEFORMAT='%3R %3U %3S'
for ((r = 1; r <= RUNS; r++)); do
  for jdk in 17 25; do
    for variant in bare empty agent; do
      read -r wall user sys < <({ time run_javac "$jdk" "$variant"; } 2>&1)
      sample "$jdk" "$variant" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')"
    done
  done
done

classes() { # jdk variant: classes loaded by one javac run
  rm -f "$WORK/classes.log"
  run_javac "$1" "$2" "-Xlog:class+load:file=$WORK/classes.log"
  grep -c 'class,load' "$WORK/classes.log"
}
table_head "host-wide tool: javac, one file" JDK "wall: bare / empty -javaagent / this agent (skipped)" \
  "CPU: bare / empty / this agent" "classes loaded (bare / empty / agent)"
for jdk in 17 25; do
  declare -A t c
  for variant in bare empty agent; do
    t[$variant]=$(sample_median '$3' "$jdk" "$variant")
    c[$variant]=$(sample_median '$4' "$jdk" "$variant")
  done
  awk -v jdk=$jdk -v b=${t[bare]} -v e=${t[empty]} -v g=${t[agent]} -v cb=${c[bare]} -v ce=${c[empty]} \
      -v cg=${c[agent]} -v nb="$(classes $jdk bare)" -v ne="$(classes $jdk empty)" -v ng="$(classes $jdk agent)" 'BEGIN {
    printf "| javac Hello.java | %s | %.0f / %.0f / %.0f ms (%.3fx the empty agent) | %.0f / %.0f / %.0f ms (%.3fx) | %d / %d / %d |\n",
      jdk, b*1000, e*1000, g*1000, g/e, cb*1000, ce*1000, cg*1000, cg/ce, nb, ne, ng }'
done
for jdk in 17 25; do
  [ ! -e "$WORK/state-$jdk" ] || echo "UNEXPECTED: the skipped agent created $WORK/state-$jdk"
done
if grep -v '^Picked up JAVA_TOOL_OPTIONS' "$WORK/stderr.log" | grep -q .; then
  echo; echo "stderr other than the JVM's 'Picked up' lines:"; sort "$WORK/stderr.log" | uniq -c | head
fi
