#!/usr/bin/env bash
# `vigil ingest` end to end: a folder of gzip CloudTrail files ($GZIP_BYTES of them, default
# 1 GiB; generated once into $CORPUS and reused) sent by `vigil ingest` to a real
# `vigil serve` on loopback with an on-disk store. Prints records/s, gzip MB/s and the CPU
# seconds of client and server. Bounded by the corpus size; loopback only.
set -euo pipefail
VIGIL=${1:-build/vigil}
GZIP_BYTES=${GZIP_BYTES:-1073741824}
CORPUS=${CORPUS:-/tmp/vigil-bench-cloudtrail-$GZIP_BYTES}
PARALLEL=${PARALLEL:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$(mktemp -d)
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"

if [ ! -f "$CORPUS.complete" ]; then
  rm -rf "$CORPUS"
  echo "generating $GZIP_BYTES bytes of gzip CloudTrail into $CORPUS (once)..."
  /usr/bin/python3 "$HERE/gen_cloudtrail.py" "$CORPUS" "$GZIP_BYTES" >"$CORPUS.summary"
  mv "$CORPUS.summary" "$CORPUS.complete"
fi
cat "$CORPUS.complete"

"$VIGIL" serve --listen "127.0.0.1:$PORT" --data-dir "$DATA" --log-level warn 2>"$DATA/server.log" &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 50); do curl -fs "$URL/_vigil/health" >/dev/null && break; sleep 0.1; done
AUTH='AWS4-HMAC-SHA256 Credential=111111111111/20260101/us-east-1/guardduty/aws4_request, SignedHeaders=host, Signature=0'
DETECTOR=$(curl -fs -X POST -H "Authorization: $AUTH" -d '{"enable":true}' "$URL/detector" |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["detectorId"])')

cpu_seconds() {  # utime + stime of a process, in seconds
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"
}
SERVER_CPU_BEFORE=$(cpu_seconds $SERVER)
START=$(date +%s.%N)
/usr/bin/time -f "%U %S" -o "$DATA/client.time" \
  env AWS_ACCESS_KEY_ID=111111111111 AWS_SECRET_ACCESS_KEY=bench \
  "$VIGIL" ingest --endpoint "$URL" --detector-id "$DETECTOR" --source cloudtrail \
  --parallel "$PARALLEL" "$CORPUS" >"$DATA/client.out" 2>&1 || { cat "$DATA/client.out"; exit 1; }
END=$(date +%s.%N)
SERVER_CPU=$(awk -v a="$SERVER_CPU_BEFORE" -v b="$(cpu_seconds $SERVER)" 'BEGIN {print b - a}')
CLIENT_CPU=$(awk '{print $1 + $2}' "$DATA/client.time")
GZIP=$(du -sb "$CORPUS" | cut -f1)
RECORDS=$(sed -n 's/^ingested .*: \([0-9]*\) records,.*/\1/p' "$DATA/client.out" | tail -n 1)
tail -n 1 "$DATA/client.out"
awk -v s="$START" -v e="$END" -v r="${RECORDS:-0}" -v g="$GZIP" -v sc="$SERVER_CPU" -v cc="$CLIENT_CPU" 'BEGIN {
  t = e - s
  printf "vigil ingest, %.0f MB of gzip CloudTrail, %d records: %.1f s, %.0f records/s, %.1f MB/s of gzip; CPU: server %.1f s, client %.1f s (%d cores)\n",
    g / 1e6, r, t, r / t, g / 1e6 / t, sc, cc, '"$(nproc)"'
}'
