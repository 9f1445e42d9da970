#!/usr/bin/env bash
# Redis registry latency: publish (register, renew) and lookup as a ratio to a plain GET on the same Lettuce
# connection, against a throwaway redis-server the benchmark starts itself. Needs redis-server on the PATH.
#   src/bench/redis.sh [samplesPerOperation] [warmupPerOperation]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -pl src test-compile
cp_file=src/target/bench-redis.classpath
mvn -q -pl src dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$cp_file"
exec java -Xms256m -cp "src/target/test-classes:src/target/classes:$(cat "$cp_file")" \
    dev.portmanager.bench.RedisRegistryBenchmark "$@"
