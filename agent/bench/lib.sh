# shellcheck shell=bash
# What the start-up benchmarks in agent/bench share; each script sources it (`. "$(dirname "$0")/lib.sh"`) after its
# own `set -euo pipefail` and keeps only its own apps, variants and table rows.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH=$ROOT/agent/bench
AGENT=$ROOT/agent/target/portmanager-agent.jar
# Written by every agent build (agent/pom.xml), so that the Netty app needs no dependency resolution of its own.
NETTY_CP_FILE=$ROOT/agent/target/bench-netty.classpath
# The agent supports JDK 17 and 25: every table has a row for each. JDK17_HOME / JDK25_HOME move them.
JDK17=${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}

# The scripts loop over the JDKs by their number, as the tables name them.
jdk_home() { # jdk
  [ "$1" = 25 ] && echo "$JDK25" || echo "$JDK17"
}

# A missing jar would make every run fail one by one; say at once how to build it.
require_agent_jar() { # build command to suggest
  [ -f "$AGENT" ] || { echo "no $AGENT: run $1 first" >&2; exit 1; }
}

# Every script works in its own temporary directory (/tmp/pm-<script>.XXXXXX) and leaves nothing behind, also after
# a failure or Ctrl-C: the directory goes at exit, and so do the background processes it put in BACKGROUND (a Redis
# server, a squatter, a moved server).
BACKGROUND=()
make_work() {
  WORK=$(mktemp -d "/tmp/pm-$(basename "$0" .sh).XXXXXX")
  trap remove_work EXIT
}
remove_work() {
  local pid
  for pid in "${BACKGROUND[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}

# A port the OS has just found free: helpers the scripts start never collide with fixed ports or with other builds.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# A redis-server of the script's own on a free port (REDIS_PORT), stopped with the work directory.
start_redis() {
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
  BACKGROUND+=($!)
  for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
}

# The bench sources are compiled by JDK 17 at release 17, so that one set of classes runs on both JDKs.
compile_bench() { # dir class-path ("" for none) class... (agent/bench/<class>.java)
  local dir=$1 cp=$2 class sources=()
  shift 2
  for class in "$@"; do sources+=("$BENCH/$class.java"); done
  "$JDK17/bin/javac" -XDsuppressNotes --release 17 -d "$dir" ${cp:+-cp "$cp"} "${sources[@]}"
}

# The two apps whose start-up is measured: tiny (TinyServer, new ServerSocket(P)) and netty (NettyServer, a Netty
# ServerBootstrap on P). Sets NETTY_CP, which the Netty app needs at run time too.
compile_apps() { # dir
  NETTY_CP=$(cat "$NETTY_CP_FILE")
  compile_bench "$1" "$NETTY_CP" TinyServer NettyServer
}

# Class path and main class of an app (tiny unless netty), as java options; compile_apps put its classes in dir.
app_command() { # app dir-or-jar of the compiled apps
  if [ "$1" = netty ]; then echo "-cp $2:$NETTY_CP NettyServer"; else echo "-cp $2 TinyServer"; fi
}

# JDK 25 warns on stderr when Netty calls a restricted method; allowing it keeps the stderr checks quiet.
native_access() { # jdk app
  [ "$1" = 25 ] && [ "$2" = netty ] && echo "--enable-native-access=ALL-UNNAMED" || true
}

# The Redis client's memory floor (agent/bench/LettuceClientServer.java: a Lettuce client, no agent), built against
# the Redis client the agent carries; its Report class comes from TinyServer, compiled into app-dir first. Sets
# LETTUCE_CP, the class path it runs with.
compile_lettuce_app() { # app-dir
  unzip -p "$AGENT" inst/lib/redis-libs.jar > "$WORK/redis-libs.jar"
  compile_bench "$WORK/lettuce" "$WORK/redis-libs.jar:$1" LettuceClientServer
  LETTUCE_CP="$WORK/lettuce:$1:$WORK/redis-libs.jar"
}

# An agent jar whose Premain-Class is agent/bench/<class>.java: an empty premain is the floor any agent pays, which
# is what this agent's figures are measured against.
build_premain_jar() { # class jar
  local classes=${2%.jar}
  compile_bench "$classes" "" "$1"
  printf 'Premain-Class: %s\n' "$1" > "$classes.mf"
  "$JDK17/bin/jar" cfm "$2" "$classes.mf" -C "$classes" .
}

# The JVM options of the variants the paired scripts (cpu.sh, faults.sh, threads.sh) compare: bare, the empty agent
# (build_premain_jar EmptyAgent "$WORK/empty-agent.jar" first), another agent jar (BASE) and this build's (AGENT),
# each agent on a state directory of its own per JDK, so that a round's runs find their caches warm.
agent_options() { # variant jdk
  case "$1" in
    bare) echo "" ;;
    empty) echo "-javaagent:$WORK/empty-agent.jar" ;;
    baseline) echo "-javaagent:$BASE=service=bench,type=ml,stateDir=$WORK/base-$2" ;;
    this) echo "-javaagent:$AGENT=service=bench,type=ml,stateDir=$WORK/this-$2" ;;
  esac
}

# The paired rounds of the scripts that time variants (floor.sh, sharing.sh): every round runs every JDK and every
# variant in VARIANTS once, through the script's own run(), and keeps "jdk variant wall user sys" a run.
timed_rounds() {
  local r jdk variant
  runs_begin
  TIMEFORMAT='%3R %3U %3S'
  for ((r = 1; r <= RUNS; r++)); do
    for jdk in 17 25; do
      for variant in $VARIANTS; do
        sample "$jdk" "$variant" "$( { time run "$jdk" "$variant"; } 2>&1 )"
      done
    done
  done
}

# One more run of a variant, through the script's own run(), with -Xlog:class+load: "<classes loaded> <of those, the
# ones not from a CDS archive>".
class_counts() { # jdk variant
  run "$1" "$2" -Xlog:class+load:file="$WORK/classes.log"
  echo "$(wc -l < "$WORK/classes.log") $(grep -vc 'shared objects file' "$WORK/classes.log" || true)"
}

# Every run is one line "key... value..." in $WORK/samples; the tables are medians of one value per key, so that a
# single slow run on a loaded machine does not move them.
sample() { # key... value...
  echo "$*" >> "$WORK/samples"
}
median() { # numbers on stdin, one a line -> their median, nan for none
  sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'
}
sample_median() { # awk expression of the value ('$3', '$3*1000'), key... -> median over the samples with these keys
  local value=$1
  shift
  awk -v keys="$*" 'BEGIN {n = split(keys, key, " ")} {for (i = 1; i <= n; i++) if ($i != key[i]) next; print '"$value"'}' \
    "$WORK/samples" | median
}

# The results are Markdown tables (BENCHMARKS.md quotes them as they come).
table_head() { # column...
  local column head="" rule=""
  for column in "$@"; do head="$head | $column"; rule="$rule|---"; done
  echo "${head# } |"
  echo "$rule|"
}

# Figures from a machine shared with other work mean little without when, which commit and under what load they
# were taken: runs_begin notes the commit and the load before the measured runs, header_line opens the results
# with them, the rounds (RUNS) and the load after.
load_average() {
  cut -d' ' -f1-3 /proc/loadavg
}
runs_begin() {
  LOAD_BEFORE=$(load_average)
  COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
}
header_line() { # title [what to add after the commit]
  echo "$1, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $COMMIT${2:-}, $RUNS rounds, load average $LOAD_BEFORE before / $(load_average) after"
}
agent_jar_built() {
  date -u -r "$AGENT" '+%H:%M UTC'
}
