#!/usr/bin/env bash
# Connect-decision benchmark: what the agent adds to a client connect. A squatter holds port P, a legacy server
# under the agent moves off it (P -> Q); then ConnectBench, a client under the agent, times the bridge's decision
# for an unmanaged destination and for P (redirected to Q), and real loopback connects with and without the agent.
# JDK 17 and 25.
#
# Usage (repo root, after `mvn -pl agent -am package -DskipTests`):  agent/bench/connect.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
AGENT=$ROOT/agent/target/portmanager-agent.jar
JDK17=${JDK17_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
JDK25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -f "$AGENT" ] || { echo "no $AGENT: run mvn -pl agent -am package -DskipTests first" >&2; exit 1; }

WORK=$(mktemp -d /tmp/pm-connect.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

"$JDK17/bin/javac" --release 17 -d "$WORK/classes" "$ROOT/agent/bench/MovedServer.java" "$ROOT/agent/bench/ConnectBench.java"
P=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -c "import socket,time; s=socket.socket(); s.bind(('0.0.0.0',$P)); s.listen(); time.sleep(3600)" &
PIDS+=($!)
for _ in $(seq 1 300); do [ -n "$(ss -Hltn "sport = :$P")" ] && break; sleep 0.1; done
"$JDK17/bin/java" -javaagent:"$AGENT"=service=bench-server,type=ml,stateDir="$WORK/state" -cp "$WORK/classes" \
  MovedServer "$P" > "$WORK/server.out" 2> "$WORK/server.err" &
PIDS+=($!)
for _ in $(seq 1 600); do grep -q LISTENING "$WORK/server.out" 2>/dev/null && break; sleep 0.1; done
Q=$(awk '/LISTENING/ {print $2}' "$WORK/server.out")
[ -n "$Q" ] && [ "$Q" != "$P" ] || { echo "server did not move off $P" >&2; cat "$WORK/server.out" "$WORK/server.err" >&2; exit 1; }
echo "squatter on $P, server moved to $Q"
for jdk in 17 25; do
  home=$JDK17; [ "$jdk" = 25 ] && home=$JDK25
  "$home/bin/java" -javaagent:"$AGENT"=service=bench-client,stateDir="$WORK/state" -cp "$WORK/classes" \
    ConnectBench "$P" "jdk$jdk agent" 2>/dev/null | grep RESULT || true
  "$home/bin/java" -cp "$WORK/classes" ConnectBench "$P" "jdk$jdk no agent" | grep RESULT
done
