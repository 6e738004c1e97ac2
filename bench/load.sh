#!/usr/bin/env bash
# HTTP load benchmark: starts a real `vigil serve` on a loopback port with an on-disk
# store, then drives it with wrk from a second process. Bounded: each run lasts
# $DURATION seconds. Prints requests/s and p50/p99 latency per scenario.
set -euo pipefail
VIGIL=${1:-build/vigil}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$(mktemp -d)
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"

"$VIGIL" serve --listen "127.0.0.1:$PORT" --data-dir "$DATA" --log-level warn 2>"$DATA/server.log" &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 50); do curl -fs "$URL/_vigil/health" >/dev/null && break; sleep 0.1; done

AUTH='AWS4-HMAC-SHA256 Credential=111111111111/20260101/us-east-1/guardduty/aws4_request, SignedHeaders=host, Signature=0'
DETECTOR=$(curl -fs -X POST -H "Authorization: $AUTH" -d '{"enable":true}' "$URL/detector" |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["detectorId"])')

run() {  # name, wrk args...
  local name=$1
  shift
  local out
  out=$(wrk --latency -c"$CONNECTIONS" -d"${DURATION}s" "$@")
  local rps p50 p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  local errors
  errors=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  printf '%-26s %12s req/s   p50 %-9s p99 %-9s non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${errors:-0}"
}

echo "vigil load benchmark: $(nproc) cores, ${DURATION}s per scenario, store on disk (WAL, synchronous=FULL)"
echo "GetDetector: wrk -t1 -c$CONNECTIONS; CreateFilter+DeleteFilter: wrk -t4 -c4 (one connection per script state)"
run "GetDetector" -t1 -H "Authorization: $AUTH" "$URL/detector/$DETECTOR"
export DETECTOR_ID=$DETECTOR AUTHORIZATION=$AUTH
CONNECTIONS=4 run "CreateFilter+DeleteFilter" -t4 -s "$HERE/create_delete_filter.lua" "$URL"
