#!/usr/bin/env bash
# Where the agent's start-up CPU goes, by thread. Samples every thread of the tiny app (agent/bench/TinyServer.java;
# APP=netty: agent/bench/NettyServer.java) with perf (cpu-clock at 10 kHz: one sample is 0.1 ms of CPU) under an
# empty -javaagent and under this build's agent (warm state directory), paired: every round runs both, JDK 17 and
# 25. Medians over the rounds, in ms of CPU, per thread group:
#   main   the app's main thread (perf calls it "java"): the JVM's start, premain, main(), the bind's wait
#   core   portmanager-core: opening the manager, the grant, the record
#   agent  the agent's other threads (portmanager-*: exit hook, lease renewal...)
#   C1/C2  the JIT compiler threads: compiling what the app and the agent ran often enough
#   rest   GC, the VM thread and the JVM's other service threads
# The sampled runs are slower than unsampled ones; the split, not the sum, is the point (cpu.sh gives the sums).
# Needs perf (Debian: linux-perf) and the right to sample (root, or kernel.perf_event_paranoid <= 1).
#
# Usage (repo root, after mvn -B -q -DskipTests package): [APP=netty] agent/bench/threads.sh [rounds, default 7]
set -euo pipefail
RUNS=${1:-7}
. "$(dirname "$0")/lib.sh"
require_agent_jar "mvn -B -q -DskipTests package"
command -v perf >/dev/null || { echo "threads.sh needs perf (apt-get install linux-perf)" >&2; exit 1; }
make_work
APP=${APP:-tiny}
compile_apps "$WORK/classes"
build_premain_jar EmptyAgent "$WORK/empty-agent.jar"
GROUPS_SHOWN="main core agent C1 C2 rest"

# perf's per-thread sample counts -> "group ms" lines, one per group (0 when a group has no samples).
by_group() { # perf.data
  perf report -i "$1" --sort comm --stdio -F sample,comm 2>/dev/null | awk -v groups="$GROUPS_SHOWN" '
    /^#/ || NF < 2 { next }
    { n = $1; $1 = ""; sub(/^ +/, ""); name = $0
      if (name == "java") g = "main"; else if (name == "portmanager-cor") g = "core"
      else if (name ~ /^portmanager/) g = "agent"; else if (name ~ /^C1 Compiler/) g = "C1"
      else if (name ~ /^C2 Compiler/) g = "C2"; else g = "rest"
      ms[g] += n / 10 }
    END { n = split(groups, all, " "); for (i = 1; i <= n; i++) print all[i], ms[all[i]] + 0 }'
}

PORT=27000
runs_begin
for ((r = 0; r <= RUNS; r++)); do # round 0 warms the state directories and rewrite caches, unrecorded
  for jdk in 17 25; do
    for variant in empty this; do
      PORT=$((PORT + 1))
      # shellcheck disable=SC2046
      perf record -q -F 10000 -e cpu-clock -o "$WORK/perf.data" -- "$(jdk_home "$jdk")/bin/java" \
        $(agent_options "$variant" "$jdk") $(native_access "$jdk" "$APP") \
        $(app_command "$APP" "$WORK/classes") "$PORT" >/dev/null 2>>"$WORK/stderr.log"
      if [ "$r" -gt 0 ]; then
        while read -r group ms; do sample "$jdk" "$variant" "$group" "$ms"; done < <(by_group "$WORK/perf.data")
      fi
    done
  done
done
header_line "CPU by thread of the $APP app, ms (perf samples)" " (agent jar built $(agent_jar_built))"
echo
# shellcheck disable=SC2086
table_head JDK variant $GROUPS_SHOWN "sum of the medians"
for jdk in 17 25; do
  declare -A median=()
  for variant in empty this; do
    row="| $jdk | $variant"
    total=0
    for group in $GROUPS_SHOWN; do
      median[$variant.$group]=$(sample_median '$4' "$jdk" "$variant" "$group")
      row="$row | $(printf '%.1f' "${median[$variant.$group]}")"
      total=$(awk -v t="$total" -v m="${median[$variant.$group]}" 'BEGIN {print t + m}')
    done
    median[$variant.total]=$total
    echo "$row | $(printf '%.1f' "$total") |"
  done
  row="| $jdk | this - empty"
  for group in $GROUPS_SHOWN total; do
    row="$row | $(awk -v a="${median[this.$group]}" -v b="${median[empty.$group]}" 'BEGIN {printf "%+.1f", a - b}')"
  done
  echo "$row |"
  unset median
done
