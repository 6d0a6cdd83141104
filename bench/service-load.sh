#!/usr/bin/env bash
# Load figures of `ballast serve` (docs/service.md, "Load"), measured with Debian's wrk against a Release `ballast` on SQLite:
#   1. stateless POST /v1/plan of a 10-asset portfolio (target: >= 5,000 requests/s, p99 < 25 ms);
#   2. GET of a stored account with 10 holdings (the resource endpoint, when this build has it; else it says so);
#   3. one key driven at 10x its rate limit: the limiter answers 429, nothing answers 5xx, the server's memory stays bounded
#      (its resident set sampled every 0.5 s).
# Prints one table. Not a test: figures depend on the machine (the wrk client shares it with the server).
# Usage: bench/service-load.sh
#   BALLAST_BIN       the ballast to run (default: the native build, build/native.sh into dist/, built when missing;
#                     BALLAST_BIN="dotnet src/Ballast.Cli/bin/Release/net10.0/ballast.dll" for the JIT build)
#   DURATION          seconds per run (default 20); THREADS / CONNECTIONS of wrk (default 2 / 64)
#   ACCOUNT_PATH      the GET to measure (default /v1/accounts/bench-1/holdings)
#   PORT              where the service listens (default 18090)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-20}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
PORT="${PORT:-18090}"
ACCOUNT_PATH="${ACCOUNT_PATH:-/v1/accounts/bench-1/holdings}"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk" >&2
  as_root apt-get update >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y wrk >&2
fi
if [ -z "${BALLAST_BIN:-}" ]; then
  [ -x dist/ballast ] || bash build/native.sh dist >/dev/null
  BALLAST_BIN="$(pwd)/dist/ballast"
fi
BALLAST="$BALLAST_BIN"

WORK="$(mktemp -d)"
SERVER=""
stop_server() { if [ -n "$SERVER" ]; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=""; fi; }
trap 'stop_server; rm -rf "$WORK"' EXIT
DB="$WORK/bench.db"

# The store: one key, one account with 10 holdings; the 10-asset portfolio document.
$BALLAST init --db "$DB" >/dev/null
KEY="$($BALLAST keys create --tenant bench --role trader --db "$DB" | tail -1)"
python3 - "$WORK" <<'PY'
import json, os, sys
work = sys.argv[1]
tickers = ["VTI", "VEA", "VWO", "BND", "BNDX", "VTIP", "VNQ", "GLD", "SCHD", "VXUS"]
doc = {
    "asOf": "2025-06-30", "currency": "USD", "cash": 1500,
    "holdings": [{"ticker": t, "value": 10000 + 1700 * i} for i, t in enumerate(tickers)],
    "targets": {t: "10%" for t in tickers},
    "policy": {"look": "daily", "trigger": "threshold", "relative": "20%", "rebalanceTo": "inner-rail", "rail": "10%"},
}
open(os.path.join(work, "plan.json"), "w").write(json.dumps(doc))
with open(os.path.join(work, "prices.csv"), "w") as f:
    f.write("date," + ",".join(tickers) + "\n2025-06-30," + ",".join(str(50 + i) for i in range(10)) + "\n")
open(os.path.join(work, "accounts.csv"), "w").write("account,type,currency,household,model\nbench-1,taxable,USD,,\n")
with open(os.path.join(work, "positions.csv"), "w") as f:
    f.write("account,ticker,quantity,cost_basis\n")
    for i, t in enumerate(tickers):
        f.write(f"bench-1,{t},{100 + i},{(100 + i) * 40}\n")
PY
$BALLAST prices import "$WORK/prices.csv" --db "$DB" >/dev/null
$BALLAST import accounts "$WORK/accounts.csv" --db "$DB" --tenant bench >/dev/null
$BALLAST import positions "$WORK/positions.csv" --as-of 2025-06-30 --db "$DB" --tenant bench >/dev/null

# wrk's script: the method, body and key; every status counted (2xx, 429, 5xx, other) across threads; one RESULT line.
cat > "$WORK/count.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; limited = 0; failed = 0; other = 0 end
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BALLAST_KEY")
local body = os.getenv("BALLAST_BODY")
if body and body ~= "" then
  local f = io.open(body, "rb"); wrk.body = f:read("*a"); f:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end
function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1
  elseif status == 429 then limited = limited + 1
  elseif status >= 500 then failed = failed + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local a, b, c, d = 0, 0, 0, 0
  for _, t in ipairs(threads) do a = a + t:get("ok"); b = b + t:get("limited"); c = c + t:get("failed"); d = d + t:get("other") end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.0f %.2f %.2f %.2f %d %d %d %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, a, b, c, d, errors))
end
LUA

start_server() { # rate limit per key
  $BALLAST serve --db "$DB" --urls "http://127.0.0.1:$PORT" --rate-limit "$1" > "$WORK/serve-$1.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && return; sleep 0.1; done
  echo "ballast serve did not start:" >&2; cat "$WORK/serve-$1.log" >&2; exit 1
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER/status" 2>/dev/null || echo 0; }
sample_rss() { # peak resident KB while $1 runs
  local peak=0 r
  while kill -0 "$1" 2>/dev/null; do r="$(rss_kb)"; [ "${r:-0}" -gt "$peak" ] && peak="$r"; sleep 0.5; done
  echo "$peak"
}
ROWS=()
measure() { # label, path, body file or "", duration
  local label="$1" path="$2" body="$3" seconds="$4"
  local before; before="$(rss_kb)"
  BALLAST_KEY="$KEY" BALLAST_BODY="$body" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency -s "$WORK/count.lua" "http://127.0.0.1:$PORT$path" > "$WORK/wrk.out" 2>&1 &
  local client=$!
  local peak; peak="$(sample_rss "$client")"
  wait "$client" || true
  local result; result="$(grep '^RESULT' "$WORK/wrk.out" || true)"
  if [ -z "$result" ]; then cat "$WORK/wrk.out" >&2; echo "wrk gave no result for $label" >&2; exit 1; fi
  # shellcheck disable=SC2086
  set -- $result
  ROWS+=("$(printf '%-34s %9s %8s %8s %9s %9s %9s %6s %6s %7s %9s %9s' "$label" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "${10}" "$((before / 1024))" "$((peak / 1024))")")
  echo "$2" > "$WORK/rate"
}

start_server 1000000
curl -fs -X POST "http://127.0.0.1:$PORT/v1/plan" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' --data-binary @"$WORK/plan.json" >/dev/null
BALLAST_KEY="$KEY" BALLAST_BODY="$WORK/plan.json" wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s "$WORK/count.lua" "http://127.0.0.1:$PORT/v1/plan" >/dev/null 2>&1 # warm-up
measure "POST /v1/plan (10 assets)" /v1/plan "$WORK/plan.json" "$DURATION"
PLAN_RATE="$(cut -d. -f1 "$WORK/rate")"
status="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$ACCOUNT_PATH" -H "Authorization: Bearer $KEY")"
if [ "$status" = 200 ]; then
  BALLAST_KEY="$KEY" BALLAST_BODY="" wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s "$WORK/count.lua" "http://127.0.0.1:$PORT$ACCOUNT_PATH" >/dev/null 2>&1
  measure "GET $ACCOUNT_PATH" "$ACCOUNT_PATH" "" "$DURATION"
else
  ROWS+=("$(printf '%-34s %s' "GET $ACCOUNT_PATH" "not measured: this build answers $status (no such endpoint yet)")")
fi
stop_server

# 10x the sustainable rate on one key: the key may make a tenth of what the server sustained above; wrk sends all it can.
LIMIT=$(( PLAN_RATE / 10 > 0 ? PLAN_RATE / 10 : 1 ))
start_server "$LIMIT"
measure "POST /v1/plan, key limited to $LIMIT/s" /v1/plan "$WORK/plan.json" "$DURATION"
stop_server

echo
echo "ballast serve on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo); $BALLAST; wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s on the same machine"
printf '%-34s %9s %8s %8s %9s %9s %9s %6s %6s %7s %9s %9s\n' "run" "req/s" "p50 ms" "p99 ms" "max ms" "2xx" "429" "5xx" "other" "sockerr" "RSS MB" "peak MB"
for row in "${ROWS[@]}"; do echo "$row"; done
