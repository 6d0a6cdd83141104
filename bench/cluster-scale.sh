#!/usr/bin/env bash
# A trading window over N accounts (default 100,000; the generator of bench/window-scale.sh) on PostgreSQL, run three
# ways on identical copies of one store: by `ballast window run` in one process, and through the cluster by
# `ballast-node window` with one silo and with three silos on this machine. Prints each run's time, the run record and
# the accounts per second, and checks that the three runs' verdicts and proposals' orders are the same.
# Usage: bench/cluster-scale.sh [accounts] [partitions]
#   BALLAST_TEST_PG   the PostgreSQL server (from .ci/postgres.sh); scratch databases are created and dropped
#   BALLAST_SCALE_DIR keep the generated files there (reused when already generated)
#   KILL_AFTER        seconds into the three-silo run, kill one silo with SIGKILL (the run must still complete, the same)
#   BALLAST_CLUSTER_FROM=name  start from a copy of that PostgreSQL database (a store as imported, before any window:
#                     BALLAST_SCALE_KEEP_PG of bench/window-scale.sh) instead of importing the generated files; it is left as it was
set -euo pipefail
cd "$(dirname "$0")/.."
ACCOUNTS="${1:-100000}"
PARTITIONS="${2:-24}"
: "${BALLAST_TEST_PG:?set BALLAST_TEST_PG (export BALLAST_TEST_PG=\"\$(bash .ci/postgres.sh)\")}"
WORK="${BALLAST_SCALE_DIR:-$(mktemp -d)}"
mkdir -p "$WORK"
dotnet build -c Release src/Ballast.Cli -v q -nologo >/dev/null
dotnet build -c Release src/Ballast.Node -v q -nologo >/dev/null
BALLAST="dotnet src/Ballast.Cli/bin/Release/net10.0/ballast.dll"
NODE="dotnet src/Ballast.Node/bin/Release/net10.0/ballast-node.dll"
OPS="$(pwd)/examples/operations"
WINDOW="2025-10-01T10:00"
BALLAST_SCALE_DIR="$WORK" BALLAST_SCALE_ONLY=generate BALLAST_BIN="$BALLAST" bash bench/window-scale.sh "$ACCOUNTS"

export PGPASSWORD=ballast
psql_() { psql -h 127.0.0.1 -p 55432 -U ballast -d postgres -qAt "$@"; }
db() { echo "${BALLAST_TEST_PG/Database=postgres/Database=$1}"; }
BASE="ballast_cluster_scale_$$"
NODES=()
cleanup() {
  for p in "${NODES[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for d in "$BASE" "${BASE}_one" "${BASE}_three"; do psql_ -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
timed() { # label, command...
  local label="$1"; shift
  local start; start=$(date +%s.%N)
  "$@" > "$WORK/out.txt" 2> "$WORK/err.txt" || { cat "$WORK/err.txt" >&2; echo "$label failed" >&2; return 1; }
  local secs; secs=$(echo "$(date +%s.%N) - $start" | bc)
  printf '%-28s %8.1f s  %7.0f accounts/s  load %s   %s\n' "$label" "$secs" "$(echo "$ACCOUNTS / $secs" | bc -l)" "$(cut -d' ' -f1 /proc/loadavg)" "$(head -1 "$WORK/out.txt" | cut -c1-150)"
}

echo "== the store: $ACCOUNTS accounts x 10 holdings + cash on PostgreSQL"
if [ -n "${BALLAST_CLUSTER_FROM:-}" ]; then
  # FILE_COPY: a copy not written to the WAL (by default PostgreSQL 15 writes all of it there, 8 GB for a million accounts,
  # which the runs after it would pay for in checkpoints; a FILE_COPY checkpoints before and after). Then the copy is brought
  # to this Ballast's schema.
  timed "copy of $BALLAST_CLUSTER_FROM" psql_ -c "CREATE DATABASE $BASE TEMPLATE $BALLAST_CLUSTER_FROM STRATEGY FILE_COPY"
  $BALLAST init --db "$(db "$BASE")" >/dev/null
else
psql_ -c "CREATE DATABASE $BASE" >/dev/null
$BALLAST init --db "$(db "$BASE")" >/dev/null
$BALLAST prices import "$WORK/prices.csv" --db "$(db "$BASE")" >/dev/null
$BALLAST model set bench --targets "E0=10%,E1=10%,E2=10%,E3=10%,E4=10%,E5=10%,E6=10%,E7=10%,E8=10%,E9=10%" --policy-file "$WORK/policy.yaml" --db "$(db "$BASE")" >/dev/null
$BALLAST schedule set "$OPS/schedule.yaml" --db "$(db "$BASE")" >/dev/null
timed "import accounts" $BALLAST import accounts "$WORK/accounts-$ACCOUNTS.csv" --db "$(db "$BASE")"
timed "import positions" $BALLAST import positions "$WORK/positions-$ACCOUNTS.csv" --as-of 2025-09-30 --db "$(db "$BASE")"
fi
for copy in one three; do psql_ -c "CREATE DATABASE ${BASE}_$copy TEMPLATE $BASE STRATEGY FILE_COPY" >/dev/null; done

echo "== window $WINDOW, $PARTITIONS partitions in the cluster runs (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
timed "one process (window run)" $BALLAST window run --calendar "$OPS/calendar.yaml" --at "$WINDOW" --db "$(db "$BASE")"

start_silos() { # database, count
  for i in $(seq 1 "$2"); do
    $NODE --db "$(db "$1")" --urls "http://127.0.0.1:$((18180 + i))" --silo-port $((11180 + i)) --gateway-port $((30180 + i)) --cluster-id "$1" > "$WORK/node-$1-$i.log" 2>&1 &
    NODES+=($!)
  done
  for i in $(seq 1 "$2"); do
    for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$((18180 + i))/health" >/dev/null 2>&1 && break; sleep 0.2; done
  done
}
stop_silos() { for p in "${NODES[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait "${NODES[@]}" 2>/dev/null || true; NODES=(); }

start_silos "${BASE}_one" 1
timed "cluster, 1 silo" $NODE window --db "$(db "${BASE}_one")" --calendar "$OPS/calendar.yaml" --at "$WINDOW" --partitions "$PARTITIONS" --cluster-id "${BASE}_one"
stop_silos
start_silos "${BASE}_three" 3
if [ -n "${KILL_AFTER:-}" ]; then
  # One silo (the second) is killed with SIGKILL while the partitions run; the run must complete on the other two.
  ( sleep "$KILL_AFTER"; kill -9 "${NODES[1]}" 2>/dev/null && echo "   killed silo 2 (pid ${NODES[1]}) with SIGKILL after $KILL_AFTER s" ) &
  timed "cluster, 3 silos, 1 killed" $NODE window --db "$(db "${BASE}_three")" --calendar "$OPS/calendar.yaml" --at "$WINDOW" --partitions "$PARTITIONS" --cluster-id "${BASE}_three"
  wait $! 2>/dev/null || true
else
  timed "cluster, 3 silos" $NODE window --db "$(db "${BASE}_three")" --calendar "$OPS/calendar.yaml" --at "$WINDOW" --partitions "$PARTITIONS" --cluster-id "${BASE}_three"
fi
stop_silos

# The three runs' records: verdicts by account, and every order of the run's proposals.
same() {
  psql -h 127.0.0.1 -p 55432 -U ballast -d "$1" -qAt -c "
    SELECT md5(string_agg(a.name || ':' || w.decision || ':' || w.outcome || ':' || COALESCE(w.reason, ''), ',' ORDER BY a.name)) FROM window_run_accounts w JOIN accounts a ON a.id = w.account_id" -c "
    SELECT md5(string_agg(a.name || ':' || s.ticker || ':' || o.side || ':' || o.quantity, ',' ORDER BY a.name, s.ticker, o.side))
    FROM proposal_orders o JOIN accounts a ON a.id = o.account_id JOIN securities s ON s.id = o.security_id"
}
for d in "$BASE" "${BASE}_one" "${BASE}_three"; do
  psql -h 127.0.0.1 -p 55432 -U ballast -d "$d" -qAt -c "
    SELECT '$d: ' || (SELECT COUNT(*) FROM window_run_accounts) || ' accounts recorded ('
      || (SELECT COUNT(DISTINCT account_id) FROM window_run_accounts) || ' distinct), '
      || (SELECT COUNT(*) FROM proposals) || ' proposals, '
      || (SELECT COUNT(*) FROM proposal_orders) || ' orders of ' || (SELECT COUNT(DISTINCT account_id) FROM proposal_orders) || ' accounts'"
done
one="$(same "$BASE")"; two="$(same "${BASE}_one")"; three="$(same "${BASE}_three")"
if [ "$one" = "$two" ] && [ "$one" = "$three" ]; then echo "verdicts and orders: the same in the three runs"; else echo "verdicts or orders DIFFER"; echo "$one"; echo "$two"; echo "$three"; exit 1; fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
