#!/usr/bin/env bash
# Watch latency: time from an allocation made through the API (POST returns) to the return of a blocking query
# that was waiting for it. Prints min / median / max over N rounds.
#   src/bench/watch.sh [ROUNDS] [embedded|redis]
# embedded: one sidecar on a state directory; the POST and the query go to it.
# redis:    a throwaway redis-server (its own free port) and two sidecars on it, "host-a" and "host-b", each with
#           its own state directory: the POST goes to host-b, the query waits on host-a, so the change travels
#           through the registry (host-b's background publish, then whatever host-a's watch uses to learn of it).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-20}
mode=${2:-embedded}
build=${PM_BENCH_BUILD:-/tmp/portmanager-bench-watch-build}
mvn -q -f src/pom.xml compile -Dpm.build.dir="$build"
mvn -q -f src/pom.xml dependency:build-classpath -Dpm.build.dir="$build" -Dmdep.includeScope=runtime \
    -Dmdep.outputFile="$build/watch.classpath"
work=$(mktemp -d)
# every process started here writes its pid to $work/*.pid (serve runs in a command substitution's subshell)
cleanup() {
  for f in "$work"/*.pid; do [ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  sleep 0.5; rm -rf "$work"
}
trap cleanup EXIT
store=()
if [ "$mode" = redis ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no >"$work/redis.log" 2>&1 &
  echo $! >"$work/redis.pid"
  for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  store=(--store "redis://127.0.0.1:$port")
elif [ "$mode" != embedded ]; then
  echo "mode '$mode' is not one of: embedded, redis" >&2; exit 2
fi
# serve NAME: a sidecar with its own state directory and host name; prints its URL
serve() {
  printf 'host: %s\n' "$1" >"$work/$1.yaml"
  PORTMANAGER_CONFIG="$work/$1.yaml" PORTMANAGER_STATE_DIR="$work/$1" java \
      -cp "$build/classes:$(cat "$build/watch.classpath")" dev.portmanager.cli.Main "${store[@]}" serve --port 0 \
      >"$work/$1.log" 2>&1 &
  echo $! >"$work/$1.pid"
  for _ in $(seq 300); do grep -qs "listening on" "$work/$1.log" && break; sleep 0.1; done
  sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/$1.log" | head -1
}
watcher=$(serve host-a)
[ -n "$watcher" ] || { cat "$work/host-a.log"; exit 1; }
maker=$watcher
if [ "$mode" = redis ]; then
  maker=$(serve host-b)
  [ -n "$maker" ] || { cat "$work/host-b.log"; exit 1; }
fi
index() { curl -s -D - -o /dev/null "$watcher/api/v1/port-management/allocations" | tr -d '\r' \
    | awk 'tolower($1)=="x-portmanager-index:" {print $2}'; }
: >"$work/ms"
for i in $(seq "$rounds"); do
  idx=$(index)
  curl -s -o /dev/null "$watcher/api/v1/port-management/allocations?index=$idx&wait=30s" &
  waiter=$!
  sleep 0.3 # let the query park
  curl -s -o /dev/null -X POST "$maker/api/v1/port-management/allocate" -H 'Content-Type: application/json' \
      -d "{\"service\":\"bench-$i\",\"type\":\"testing\"}"
  t0=$(date +%s%N)
  wait $waiter
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 )) >>"$work/ms"
done
sort -n "$work/ms" | awk -v mode="$mode" '{a[NR]=$1} END {printf "watch latency (%s) over %d rounds: min %d ms, median %d ms, max %d ms\n", mode, NR, a[1], a[int((NR+1)/2)], a[NR]}'
