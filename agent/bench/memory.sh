#!/usr/bin/env bash
# Where the Redis client's memory goes: the peak RSS a Lettuce client adds, split by what holds it, for Lettuce with
# no agent and for this agent with a Redis store, each over the same app holding without a client.
# Per JDK and round, three runs of 3.5 s, each with -XX:NativeMemoryTracking=summary, measured at 2.8 s up (after the
# agent's client has connected and written):
#   none     agent/bench/LettuceClientServer.java with no client (the baseline)
#   lettuce  the same app with a Lettuce client, one connection, one write and one read, no agent
#   agent    agent/bench/TinyServer.java with this agent and a Redis store
# Columns: VmHWM (the goal's figure), the Java heap's resident pages (read from /proc/<pid>/smaps, since the heap's
# committed size is the same in all three), the resident pages of files (jars, libraries), and the JVM's own
# committed memory by Native Memory Tracking category (metaspace and the class space, the compilers' arena chunks, the
# symbol table, thread stacks, code cache, other: direct buffers, internal, and the tracking's own); "rest" is what
# VmHWM adds beyond those: mostly memory freed since the peak or kept by glibc's allocator (the categories are read
# at 2.8 s, VmHWM is the peak so far).
# All are medians in MiB over the baseline's.
#
# Usage (repo root, after mvn -B -q -DskipTests package): agent/bench/memory.sh [rounds, default 3]
set -euo pipefail
RUNS=${1:-3}
. "$(dirname "$0")/lib.sh"
require_agent_jar "mvn -B -q -DskipTests package"
make_work

compile_bench "$WORK/app" "" TinyServer
compile_lettuce_app "$WORK/app"
start_redis

PORT=23011
HOLD_MS=3500
SNAP_AT=2.8
# Native Memory Tracking's names (a space spelled _), and what the table calls them
CATEGORIES="Metaspace Class Arena_Chunk Symbol Thread Code Other Internal Native_Memory_Tracking"
COLUMNS=(metaspace "class space" "compiler arenas" symbols "thread stacks" "code cache" "other (direct buffers)"
  internal "the tracking's own")

command_of() { # variant jdk
  case "$1" in
    none) echo "-cp $LETTUCE_CP LettuceClientServer $PORT - $HOLD_MS" ;;
    lettuce) echo "-cp $LETTUCE_CP LettuceClientServer $PORT redis://127.0.0.1:$REDIS_PORT $HOLD_MS" ;;
    agent) echo "-javaagent:$AGENT=service=bench,type=ml,stateDir=$WORK/state-$2,store=redis://127.0.0.1:$REDIS_PORT \
      -cp $WORK/app TinyServer $PORT $HOLD_MS" ;;
  esac
}

# One run: "hwm heap file <category>..." in kB, the categories in CATEGORIES' order.
snapshot() { # jdk variant
  local home pid heap_start
  home=$(jdk_home "$1")
  # shellcheck disable=SC2046
  "$home/bin/java" -XX:NativeMemoryTracking=summary $(command_of "$2" "$1") >/dev/null 2>>"$WORK/stderr.log" &
  pid=$!
  sleep "$SNAP_AT"
  # "garbage-first heap ... [0x0000000687400000, 0x...)": the heap's first address, as smaps spells it
  heap_start=$("$home/bin/jcmd" "$pid" GC.heap_info | grep -o '\[0x[0-9a-f]*' | head -1 | sed 's/^\[0x0*//')
  "$home/bin/jcmd" "$pid" VM.native_memory summary scale=KB > "$WORK/nmt"
  {
    awk '/^VmHWM:/ {print $2}' "/proc/$pid/status"
    awk -v start="$heap_start" '$1 ~ "^0*" start "-" {found = 1; next} found && /^Rss:/ {print $2; exit}' \
      "/proc/$pid/smaps"
    awk '/^RssFile:/ {print $2}' "/proc/$pid/status"
    for category in $CATEGORIES; do
      awk -v name="${category//_/ }" '$0 ~ "^- +" name " \\(" {
          sub(/.*committed=/, ""); sub(/KB.*/, ""); print; found = 1
        } END {if (!found) print 0}' "$WORK/nmt"
    done
  } | paste -sd' '
  wait "$pid"
}

runs_begin
for ((r = 1; r <= RUNS; r++)); do
  for jdk in 17 25; do
    for variant in none lettuce agent; do
      sample "$jdk" "$variant" "$(snapshot "$jdk" "$variant")"
    done
  done
done

header_line "Memory at ${SNAP_AT} s up (agent/bench/memory.sh)"
echo
table_head JDK variant VmHWM "heap resident" "file pages" "${COLUMNS[@]}" rest
for jdk in 17 25; do
  for variant in lettuce agent; do
    row="| $jdk | $variant"
    listed=0
    for column in $(seq 3 $((5 + $(wc -w <<< "$CATEGORIES")))); do
      base=$(sample_median "\$$column" "$jdk" none)
      value=$(sample_median "\$$column" "$jdk" "$variant")
      delta=$(awk -v b="$base" -v v="$value" 'BEGIN {print (v - b) / 1024}')
      [ "$column" = 3 ] && hwm=$delta || listed=$(awk -v a="$listed" -v d="$delta" 'BEGIN {print a + d}')
      row="$row | $(printf '%+.1f' "$delta")"
    done
    echo "$row | $(awk -v h="$hwm" -v l="$listed" 'BEGIN {printf "%+.1f", h - l}') |"
  done
done
