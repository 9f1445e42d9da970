#!/usr/bin/env bash
# Watch latency: time from an allocation made through the API (POST returns) to the return of a blocking query
# that was waiting for it, against a real sidecar on the embedded store. Prints min / median / max over N rounds.
#   src/bench/watch.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-20}
build=${PM_BENCH_BUILD:-/tmp/portmanager-bench-watch-build}
mvn -q -f src/pom.xml compile -Dpm.build.dir="$build"
mvn -q -f src/pom.xml dependency:build-classpath -Dpm.build.dir="$build" -Dmdep.includeScope=runtime \
    -Dmdep.outputFile="$build/watch.classpath"
work=$(mktemp -d)
PORTMANAGER_STATE_DIR="$work/state" java -cp "$build/classes:$(cat "$build/watch.classpath")" \
    dev.portmanager.cli.Main serve --port 0 >"$work/serve.log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null; wait $serve 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 300); do grep -q "listening on" "$work/serve.log" && break; sleep 0.1; done
url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/serve.log" | head -1)
[ -n "$url" ] || { cat "$work/serve.log"; exit 1; }
pm="$url/api/v1/port-management"
index() { curl -s -D - -o /dev/null "$pm/allocations" | tr -d '\r' | awk 'tolower($1)=="x-portmanager-index:" {print $2}'; }
: >"$work/ms"
for i in $(seq "$rounds"); do
  idx=$(index)
  curl -s -o /dev/null "$pm/allocations?index=$idx&wait=30s" &
  waiter=$!
  sleep 0.3 # let the query park
  curl -s -o /dev/null -X POST "$pm/allocate" -H 'Content-Type: application/json' \
      -d "{\"service\":\"bench-$i\",\"type\":\"testing\"}"
  t0=$(date +%s%N)
  wait $waiter
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 )) >>"$work/ms"
done
sort -n "$work/ms" | awk '{a[NR]=$1} END {printf "watch latency over %d rounds: min %d ms, median %d ms, max %d ms\n", NR, a[1], a[int((NR+1)/2)], a[NR]}'
