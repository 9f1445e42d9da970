#!/usr/bin/env bash
# Allocations per second on the embedded store: growth from 10 to 5,000 allocations in one process, and one
# process vs four racing on one state directory. Real processes, a real state directory under $TMPDIR.
#   src/bench/embedded.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${PM_BENCH_BUILD:-/tmp/portmanager-bench-build}
mvn -q -f src/pom.xml test-compile -Dpm.build.dir="$build"
mvn -q -f src/pom.xml dependency:build-classpath -Dpm.build.dir="$build" -Dmdep.includeScope=test \
    -Dmdep.outputFile="$build/bench.classpath"
exec java -cp "$build/test-classes:$build/classes:$(cat "$build/bench.classpath")" \
    dev.portmanager.bench.EmbeddedAllocationBenchmark "$@"
