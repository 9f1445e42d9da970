#!/usr/bin/env bash
# Connect-decision benchmark: what the agent adds to a client connect. A squatter holds port P, a legacy server
# under the agent moves off it (P -> Q); then ConnectBench, a client under the agent, times the bridge's decision
# for an unmanaged destination and for P (redirected to Q), and real loopback connects with and without the agent.
# JDK 17 and 25.
#
# Usage (repo root, after `mvn -pl agent -am package -DskipTests`):  agent/bench/connect.sh
set -euo pipefail
# This script's JDK 17 has always been the java on the PATH (lib.sh's default: /usr/lib/jvm/java-17-openjdk-amd64).
JDK17_HOME=${JDK17_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
. "$(dirname "$0")/lib.sh"
require_agent_jar "mvn -pl agent -am package -DskipTests"

make_work
compile_bench "$WORK/classes" "" MovedServer ConnectBench
P=$(free_port)
python3 -c "import socket,time; s=socket.socket(); s.bind(('0.0.0.0',$P)); s.listen(); time.sleep(3600)" &
BACKGROUND+=($!)
for _ in $(seq 1 300); do [ -n "$(ss -Hltn "sport = :$P")" ] && break; sleep 0.1; done
"$JDK17/bin/java" -javaagent:"$AGENT"=service=bench-server,type=ml,stateDir="$WORK/state" -cp "$WORK/classes" \
  MovedServer "$P" > "$WORK/server.out" 2> "$WORK/server.err" &
BACKGROUND+=($!)
for _ in $(seq 1 600); do grep -q LISTENING "$WORK/server.out" 2>/dev/null && break; sleep 0.1; done
Q=$(awk '/LISTENING/ {print $2}' "$WORK/server.out")
[ -n "$Q" ] && [ "$Q" != "$P" ] || { echo "server did not move off $P" >&2; cat "$WORK/server.out" "$WORK/server.err" >&2; exit 1; }
echo "squatter on $P, server moved to $Q"
for jdk in 17 25; do
  home=$(jdk_home "$jdk")
  "$home/bin/java" -javaagent:"$AGENT"=service=bench-client,stateDir="$WORK/state" -cp "$WORK/classes" \
    ConnectBench "$P" "jdk$jdk agent" 2>/dev/null | grep RESULT || true
  "$home/bin/java" -cp "$WORK/classes" ConnectBench "$P" "jdk$jdk no agent" | grep RESULT
done
