#!/usr/bin/env bash
# Port-0 churn under the agent: an app binds and closes port 0 BINDS times (default 10,000) and keeps one open;
# then the claims file's size and the views' time (dev.portmanager.bench.ViewTimes), against the same app with no
# churn (0 binds) as the baseline of the same session. Needs the agent jar and its subject apps:
#   mvn -pl agent -am package -DskipTests && src/bench/port0-churn.sh [BINDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
binds=${1:-10000}
build=${PM_BENCH_BUILD:-/tmp/portmanager-bench-build}
mvn -q -f src/pom.xml test-compile -Dpm.build.dir="$build"
mvn -q -f src/pom.xml dependency:build-classpath -Dpm.build.dir="$build" -Dmdep.includeScope=test \
    -Dmdep.outputFile="$build/bench.classpath"
cp="$build/test-classes:$build/classes:$(cat "$build/bench.classpath")"
work=$(mktemp -d)
trap 'kill "${app:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

churn() { # $1 = binds, $2 = state directory
    local started=$(date +%s%N)
    java -javaagent:agent/target/portmanager-agent.jar=service=churn,stateDir="$2" -cp agent/target/test-classes \
        dev.portmanager.agent.subjects.EphemeralChurnApp "$1" > "$work/out" 2>&1 &
    app=$!
    for _ in $(seq 1 1200); do grep -q LISTENING "$work/out" && break; sleep 0.1; done
    grep -q LISTENING "$work/out" || { cat "$work/out"; exit 1; }
    echo "$1 binds and closes of port 0 in $(( ($(date +%s%N) - started) / 1000000 )) ms (JVM start included)"
    kill "$app"; wait "$app" 2>/dev/null || true
    echo "claims file: $(stat -c %s "$2/claims") bytes long, $(du -k "$2/claims" | cut -f1) KiB on disk"
    java -cp "$cp" dev.portmanager.bench.ViewTimes "$2"
    echo "claims file after the views: $(stat -c %s "$2/claims") bytes long, $(du -k "$2/claims" | cut -f1) KiB on disk"
}

echo "== baseline: no churn"
churn 0 "$work/baseline"
echo "== churn"
churn "$binds" "$work/churn"
