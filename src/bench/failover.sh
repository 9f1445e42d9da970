#!/usr/bin/env bash
# Registry through trouble: time from killing the master holding PortManager's keys until live services are found
# again and a new one is registered (Redis Cluster 3+3, Sentinel 1+1+3), and 8 concurrent reads of a black-holed
# Redis against the same reads of a healthy one. Needs redis-server and redis-cli on the PATH.
#   src/bench/failover.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -pl src test-compile
cp_file=src/target/bench-failover.classpath
mvn -q -pl src dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$cp_file"
exec java -cp "src/target/test-classes:src/target/classes:$(cat "$cp_file")" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
    dev.portmanager.bench.RedisFailoverBenchmark "$@"
