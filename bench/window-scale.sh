#!/usr/bin/env bash
# Scale run of a trading window: N accounts (default 1,000,000) x 10 holdings + cash, about one in ten breaching its
# bands, loaded through `ballast import accounts|positions`, then `ballast window run` and `ballast blocks create` over
# them, on SQLite and on PostgreSQL, each step timed with /usr/bin/time (seconds, peak resident KB).
# Usage: bench/window-scale.sh [accounts]
#   BALLAST_SCALE_DIR=dir  keep the generated files (and the SQLite store) there; reused when already generated
#   BALLAST_SCALE_ONLY=sqlite|postgres|generate  run one backend, or only write the files
#   BALLAST_TEST_PG        PostgreSQL server (from .ci/postgres.sh): a scratch database is created and dropped
#   BALLAST_SCALE_REIMPORT=0  leave out the second positions import (it shows a re-import adds nothing)
#   BALLAST_SCALE_KEEP_PG=name  keep a copy of the PostgreSQL store as imported (before the window) as database NAME,
#                               for bench/cluster-scale.sh (BALLAST_CLUSTER_FROM=name) to run the same window through the cluster
#   BALLAST_BIN            the command to run (default: the Release build of src/Ballast.Cli, built first)
set -euo pipefail
cd "$(dirname "$0")/.."
ACCOUNTS="${1:-1000000}"
if [ -n "${BALLAST_SCALE_DIR:-}" ]; then
  WORK="$BALLAST_SCALE_DIR"; mkdir -p "$WORK"
else
  WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
fi
if [ -z "${BALLAST_BIN:-}" ]; then
  dotnet build -c Release src/Ballast.Cli -v q -nologo >/dev/null
  BALLAST_BIN="dotnet src/Ballast.Cli/bin/Release/net10.0/ballast.dll"
fi
BALLAST="$BALLAST_BIN"
OPS="$(pwd)/examples/operations"

if [ ! -s "$WORK/positions-$ACCOUNTS.csv" ]; then
  python3 - "$ACCOUNTS" "$WORK" <<'PY'
import sys, os, random
n, work = int(sys.argv[1]), sys.argv[2]
tickers = [f"E{t}" for t in range(10)]
with open(os.path.join(work, "prices.csv"), "w") as f:
    f.write("date," + ",".join(tickers) + "\n")
    for d in range(1, 31):
        f.write(f"2025-09-{d:02d}," + ",".join(f"{50 + t + d * 0.25:.2f}" for t in range(10)) + "\n")
rng = random.Random(42)
last = [50 + t + 30 * 0.25 for t in range(10)]
with open(os.path.join(work, f"accounts-{n}.csv"), "w", buffering=1 << 20) as a, \
     open(os.path.join(work, f"positions-{n}.csv"), "w", buffering=1 << 20) as p:
    a.write("account,type,currency,household,model\n")
    p.write("account,ticker,quantity,cost_basis\n")
    for i in range(n):
        name = f"acct-{i:07d}"
        a.write(f"{name},{('taxable', 'tax-deferred', 'tax-free')[i % 3]},USD,hh-{i // 2},bench\n")
        # Worth 30,000 to 500,000 (every account is looked at every window), holdings within 3% of the 10% targets;
        # one account in ten has one ticker 60% over (outside the 25% relative band): those are the ~10% that trade.
        size = rng.uniform(30_000, 500_000)
        skewed = rng.randrange(10) if i % 10 == 0 else -1
        rows = []
        for t in range(10):
            value = size / 10 * rng.uniform(0.97, 1.03) * (1.6 if t == skewed else 1.0)
            rows.append(f"{name},E{t},{round(value / last[t], 3)},{round(value * 0.9, 2)}\n")
        rows.append(f"{name},CASH,{int(size * rng.uniform(0, 0.01))}.25,\n")
        p.write("".join(rows))
with open(os.path.join(work, "policy.yaml"), "w") as f:
    f.write("{ look: daily, trigger: threshold, absolute: 5%, relative: 25%, cashBand: 2% }\n")
PY
fi

[ "${BALLAST_SCALE_ONLY:-}" = generate ] && exit 0 # the files only (bench/cluster-scale.sh reads them)

WINDOW="2025-10-01T10:00" # a Wednesday window of examples/operations/calendar.yaml, the day after the positions
timed() { # label, command...
  local label="$1"; shift
  /usr/bin/time -o "$WORK/time.txt" -f "%e %M" "$@" > "$WORK/out.txt" 2> "$WORK/err.txt" || { cat "$WORK/err.txt" >&2; echo "$label failed" >&2; return 1; }
  read -r secs kb < "$WORK/time.txt"
  printf '%-22s %8.1f s  peak %6d MB   %s\n' "$label" "$secs" "$((kb / 1024))" "$(head -c 160 "$WORK/out.txt" | head -1)"
  grep '^trace window:' "$WORK/err.txt" || true # phases, with BALLAST_STORE_TRACE=1
}

run() { # label, db
  local label="$1" db="$2"
  echo "== $label, $ACCOUNTS accounts"
  $BALLAST init --db "$db" >/dev/null
  $BALLAST prices import "$WORK/prices.csv" --db "$db" >/dev/null
  $BALLAST model set bench --targets "E0=10%,E1=10%,E2=10%,E3=10%,E4=10%,E5=10%,E6=10%,E7=10%,E8=10%,E9=10%" --policy-file "$WORK/policy.yaml" --db "$db" >/dev/null
  $BALLAST schedule set "$OPS/schedule.yaml" --db "$db" >/dev/null
  timed "import accounts" $BALLAST import accounts "$WORK/accounts-$ACCOUNTS.csv" --db "$db"
  timed "import positions" $BALLAST import positions "$WORK/positions-$ACCOUNTS.csv" --as-of 2025-09-30 --db "$db"
  [ "${BALLAST_SCALE_REIMPORT:-1}" = 1 ] && timed "import positions again" $BALLAST import positions "$WORK/positions-$ACCOUNTS.csv" --as-of 2025-09-30 --db "$db"
  if [ -n "${BALLAST_SCALE_KEEP_PG:-}" ] && [ -n "${PG_DB:-}" ] && [ "$label" = PostgreSQL ]; then
    # FILE_COPY: the copy is not written to the WAL (PostgreSQL's default since 15 writes all of it there, 8 GB, which the window
    # run that follows would then pay for in checkpoints: it took 96.5 s instead of 46 s after such a copy).
    psql -h 127.0.0.1 -p 55432 -U ballast -d postgres -qc "DROP DATABASE IF EXISTS $BALLAST_SCALE_KEEP_PG WITH (FORCE)" -c "CREATE DATABASE $BALLAST_SCALE_KEEP_PG TEMPLATE $PG_DB STRATEGY FILE_COPY"
    echo "kept the imported store as database $BALLAST_SCALE_KEEP_PG"
  fi
  timed "window run" $BALLAST window run --calendar "$OPS/calendar.yaml" --at "$WINDOW" --db "$db"
  # The firm's approval rule is the default, none: the window approves its proposals as it saves them.
  timed "blocks create" $BALLAST blocks create --window "$WINDOW" --db "$db"
}

if [ "${BALLAST_SCALE_ONLY:-sqlite}" != postgres ]; then
  rm -f "$WORK/window-scale.db"*
  run "SQLite" "$WORK/window-scale.db"
  ls -l "$WORK/window-scale.db" | awk '{printf "SQLite store: %d MB\n", $5 / 1048576}'
fi
if [ -n "${BALLAST_TEST_PG:-}" ] && [ "${BALLAST_SCALE_ONLY:-postgres}" != sqlite ]; then
  PG_DB="ballast_window_scale_$$"
  export PGPASSWORD=ballast
  psql -h 127.0.0.1 -p 55432 -U ballast -d postgres -qc "CREATE DATABASE $PG_DB"
  run "PostgreSQL" "${BALLAST_TEST_PG/Database=postgres/Database=$PG_DB}"
  psql -h 127.0.0.1 -p 55432 -U ballast -d postgres -qAtc "SELECT 'PostgreSQL store: ' || pg_database_size('$PG_DB') / 1048576 || ' MB'"
  psql -h 127.0.0.1 -p 55432 -U ballast -d postgres -qc "DROP DATABASE $PG_DB WITH (FORCE)"
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
