#!/usr/bin/env bash
# The README's first command. Builds the agent, the sidecar and the legacy fleet (unless --no-build), then runs
# the demo (dev.portmanager.samples.demo.Demo): the design's services with their hardcoded ports, started
# unchanged under the PortManager agent. `samples/demo.sh --help` lists the flags.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build=1
args=()
usage="usage: samples/demo.sh [--redis URI] [--state-dir DIR] [--keep] [--no-build] | --stop RUN_DIR | --help"
# Check the flags before a minute of building, not after.
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --keep) args+=("$1") ;;
    -h|--help) build=0; args+=("$1") ;;
    --redis|--state-dir|--stop)
      [ $# -ge 2 ] || { echo "demo.sh: $1 needs a value" >&2; echo "$usage" >&2; exit 2; }
      if [ "$1" = --redis ] && [[ ! "$2" =~ ^rediss?://.+ ]]; then
        echo "demo.sh: --redis wants a URI such as redis://127.0.0.1:6379/0, not $2" >&2; exit 2
      fi
      [ "$1" = --stop ] && build=0
      args+=("$1" "$2"); shift ;;
    *) echo "demo.sh: unknown argument: $1" >&2; echo "$usage" >&2; exit 2 ;;
  esac
  shift
done

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "demo.sh: '$1' not found: $2" >&2; exit 2; }
}
need java "install a JDK 17 or newer"
need python3 "python-vision and the demo's port holder are python3 programs"

if [ "$build" = 1 ]; then
  need mvn "Maven builds the agent, the sidecar and the fleet (or pass --no-build after a build)"
  log="$(mktemp -t portmanager-demo-build.XXXXXX)"
  echo "Building the core and sidecar, the agent and the fleet: mvn -pl samples -am package -DskipTests (log: $log)"
  start=$SECONDS
  # One line per module as Maven reaches it, instead of silence or Maven's full output.
  mvn -B -f "$ROOT/pom.xml" -pl samples -am package -DskipTests >"$log" 2>&1 &
  mvn_pid=$!
  trap 'kill "$mvn_pid" 2>/dev/null; exit 130' INT TERM
  tail -n +1 -f "$log" --pid "$mvn_pid" 2>/dev/null \
    | sed -un 's/^\[INFO\] Building \(.*\) 0\.1\.0-SNAPSHOT *\(\[[0-9]*\/[0-9]*\]\)$/  \2 \1/p'
  wait "$mvn_pid"
  status=$?
  trap - INT TERM
  if [ "$status" != 0 ]; then
    echo "The build failed (status $status). Its last lines:" >&2
    grep -E 'ERROR|FAIL' "$log" | head -20 >&2
    echo "Full log: $log" >&2
    exit "$status"
  fi
  echo "  built in $((SECONDS - start)) s"
  rm -f "$log"
fi

if [ ! -f "$ROOT/samples/target/portmanager-samples.jar" ]; then
  echo "demo.sh: samples/target/portmanager-samples.jar is missing: run samples/demo.sh without --no-build once" >&2
  echo "$usage" >&2
  exit 2
fi
# exec: Ctrl-C goes straight to the demo's JVM, whose shutdown hook stops what it started.
exec java -Dportmanager.home="$ROOT" -cp "$ROOT/samples/target/portmanager-samples.jar" \
  dev.portmanager.samples.demo.Demo "${args[@]}"
