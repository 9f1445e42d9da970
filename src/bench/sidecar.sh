#!/usr/bin/env bash
# The sidecar under a sick registry and slow clients, timed on real processes: `portmanager serve` from JAR
# (default src/target/portmanager.jar; build it with `mvn -q -pl src -am package -DskipTests`).
#   1. Redis black-holed (a TCP server that accepts and never answers): wall time of 8 concurrent GETs, 4 of
#      /health and 4 of /allocations, against the same 8 on the embedded store.
#   2. 64 connections that send half their headers and stop: time of one GET /health, against the same GET with
#      no such connections.
#   3. Requests on one kept-alive connection: median time of 50 GETs of /health and of /allocations, against the
#      same with -Dsun.net.httpserver.nodelay=false (Nagle's algorithm on, as the sidecar ran before).
# Each client gives up after 60 s. Needs python3 and curl.
#   src/bench/sidecar.sh [JAR]
set -euo pipefail
jar=$(readlink -f "${1:-$(dirname "$0")/../target/portmanager.jar}")
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

serve() { # serve STORE [JVM option...] -> prints the URL; the sidecar's pid goes to $work/serve.pid
  local log="$work/serve.$RANDOM.log" store=$1
  shift
  PORTMANAGER_STATE_DIR="$work/state.$RANDOM" java "$@" -jar "$jar" --store "$store" serve --port 0 >"$log" 2>&1 &
  pids+=($!); echo $! >"$work/serve.pid"
  for _ in $(seq 300); do grep -q 'listening on' "$log" && break; sleep 0.1; done
  local url; url=$(sed -n 's/.*listening on //p' "$log")
  # Warm the JVM up on a view that never reads the registry, so that start-up is not what gets measured.
  for _ in 1 2 3; do curl -s -o /dev/null --max-time 60 "$url/api/v1/port-management/utilization"; done
  echo "$url"
}
stop_serve() { kill "$(cat "$work/serve.pid")"; wait "$(cat "$work/serve.pid")" 2>/dev/null || true; }

eight() { # eight URL -> wall seconds for 4 x /health + 4 x /allocations at once
  python3 - "$1" <<'PY'
import sys, time, threading, urllib.request
base = sys.argv[1]; out = []
def get(p):
    t = time.time()
    try: urllib.request.urlopen(base + p, timeout=60).read(); out.append(time.time() - t)
    except Exception as e: out.append(float('nan'))
ts = [threading.Thread(target=get, args=(p,)) for p in ['/health', '/api/v1/port-management/allocations'] * 4]
t0 = time.time(); [t.start() for t in ts]; [t.join() for t in ts]
print('%.2f' % (time.time() - t0))
PY
}

# 1. Registry black-holed
python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(100); print(s.getsockname()[1], flush=True)
held = []
while True: held.append(s.accept()[0])' >"$work/hole.port" &
pids+=($!)
for _ in $(seq 100); do [[ -s "$work/hole.port" ]] && break; sleep 0.1; done
url=$(serve embedded); base=$(eight "$url"); stop_serve
url=$(serve "redis://127.0.0.1:$(cat "$work/hole.port")"); sick=$(eight "$url"); stop_serve
echo "8 concurrent GETs: embedded ${base}s, Redis black-holed ${sick}s"

# 2. 64 slow-header clients
url=$(serve embedded)
python3 - "$url" <<'PY'
import socket, sys, time, urllib.request, urllib.parse
base = sys.argv[1]; u = urllib.parse.urlparse(base)
def health():
    t = time.time(); urllib.request.urlopen(base + '/health', timeout=60).read(); return time.time() - t
health(); quiet = min(health() for _ in range(5))
slow = []
for i in range(64):
    c = socket.create_connection((u.hostname, u.port)); c.sendall(b'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '); slow.append(c)
time.sleep(1)
try: loaded = '%.3fs' % health()
except Exception as e: loaded = 'no answer within 60 s (%s)' % e
print('GET /health: %.3fs alone, %s with 64 slow-header connections open' % (quiet, loaded))
PY
stop_serve

# 3. Requests on one kept-alive connection
keep_alive() { # keep_alive URL -> median ms of 50 requests on one connection, for /health and /allocations
  python3 - "$1" <<'PY'
import http.client, statistics, sys, time, urllib.parse
u = urllib.parse.urlparse(sys.argv[1]); out = []
for path in ['/health', '/api/v1/port-management/allocations']:
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60); times = []
    for i in range(51):
        t = time.time(); c.request('GET', path); c.getresponse().read(); times.append(time.time() - t)
    c.close(); out.append('%s %.1f ms' % (path, statistics.median(times[1:]) * 1000))
print(', '.join(out))
PY
}
url=$(serve embedded); now=$(keep_alive "$url"); stop_serve
url=$(serve embedded -Dsun.net.httpserver.nodelay=false); before=$(keep_alive "$url"); stop_serve
echo "one kept-alive connection, median of 50: $now; with Nagle on (as before): $before"
