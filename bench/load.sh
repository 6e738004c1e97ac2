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

# Ingest over HTTP: 1,000,000 flow log records (gzip) posted to /_vigil/ingest, end to end
# (transfer, gunzip, parse, rules, findings stored); one request, timed by curl.
LOGS="$DATA/flows.log.gz"
make_flow_logs() {  # FILE SEED: 1,000,000 records, remote addresses from SEED
/usr/bin/python3 - "$1" "$2" <<'PY'
import gzip, random, sys
random.seed(int(sys.argv[2]))
lines = []
for i in range(1_000_000):
    local = f"10.0.{random.randrange(256)}.{random.randrange(256)}"
    remote = f"{random.randrange(1, 224)}.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(256)}"
    inbound = random.random() < 0.5
    src, dst = (remote, local) if inbound else (local, remote)
    start = 1_700_000_000 + i // 100
    lines.append(f"2 123456789010 eni-{random.randrange(1000):017d} {src} {dst} "
                 f"{random.randrange(1024, 65535)} {random.choice((443, 443, 80, 53, 22))} 6 "
                 f"{random.randrange(1, 100)} {random.randrange(40, 100000)} {start} {start + 60} ACCEPT OK")
with gzip.open(sys.argv[1], "wt", compresslevel=1) as f:
    f.write("\n".join(lines) + "\n")
PY
}
make_flow_logs "$LOGS" 1
seconds=$(curl -s -o "$DATA/ingest.json" -w '%{time_total}' -X POST -H "Authorization: $AUTH" \
  --data-binary @"$LOGS" "$URL/_vigil/ingest/$DETECTOR/flowlogs")
records=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["records"])' "$DATA/ingest.json")
printf '%-26s %12.0f records/s  (%s records, %s MB gzip, %.2f s)\n' "Ingest flowlogs over HTTP" \
  "$(echo "$records / $seconds" | bc -l)" "$records" "$(du -m "$LOGS" | cut -f1)" "$seconds"

# Memory under a sustained stream: STREAM_BATCHES more such batches (default 9, so 10
# million records in all), each with new remote addresses; the server's peak RSS.
rss() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER/status"; }
peak() { awk '/^VmHWM/ {print $2}' "/proc/$SERVER/status"; }
before=$(rss)
for batch in $(seq 2 $((1 + ${STREAM_BATCHES:-9}))); do
  make_flow_logs "$LOGS" "$batch"
  curl -s -o /dev/null -X POST -H "Authorization: $AUTH" --data-binary @"$LOGS" \
    "$URL/_vigil/ingest/$DETECTOR/flowlogs"
done
printf '%-26s RSS %d MB before, %d MB after, peak %d MB (%d batches of 1,000,000 records)\n' \
  "Sustained flow log stream" $((before / 1024)) $(($(rss) / 1024)) $(($(peak) / 1024)) \
  $((1 + ${STREAM_BATCHES:-9}))
