#!/usr/bin/env bash
# Scale run of the store: 100,000 accounts x 10 holdings loaded through `ballast import` into SQLite and into
# PostgreSQL, then `ballast check --all` over them, timed with peak memory. Usage: bench/store-scale.sh [accounts]
# PostgreSQL: uses BALLAST_TEST_PG (from .ci/postgres.sh) to create a scratch database.
set -euo pipefail
cd "$(dirname "$0")/.."
ACCOUNTS="${1:-100000}"
# BALLAST_SCALE_DIR keeps the generated files and the SQLite store there, for profiling afterwards.
if [ -n "${BALLAST_SCALE_DIR:-}" ]; then
  WORK="$BALLAST_SCALE_DIR"; mkdir -p "$WORK"
else
  WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
fi

dotnet build -c Release src/Ballast.Cli -v q -nologo >/dev/null
BALLAST="dotnet src/Ballast.Cli/bin/Release/net10.0/ballast.dll"

python3 - "$ACCOUNTS" "$WORK" <<'PY'
import sys, os
n, work = int(sys.argv[1]), sys.argv[2]
tickers = [f"E{t}" for t in range(10)]
with open(os.path.join(work, "prices.csv"), "w") as f:
    f.write("date," + ",".join(tickers) + "\n")
    for d in range(1, 31):
        f.write(f"2025-09-{d:02d}," + ",".join(f"{50 + t + d * 0.25:.2f}" for t in range(10)) + "\n")
import random
rng = random.Random(42)
last_prices = [50 + t + 30 * 0.25 for t in range(10)]
with open(os.path.join(work, "accounts.csv"), "w") as a, open(os.path.join(work, "positions.csv"), "w") as p:
    a.write("account,type,currency,household,model\n")
    p.write("account,ticker,quantity,cost_basis\n")
    for i in range(n):
        name = f"acct-{i:06d}"
        kind = ("taxable", "tax-deferred", "tax-free")[i % 3]
        a.write(f"{name},{kind},USD,hh-{i // 2},bench\n")
        # Holdings near the 10% targets (within 3%), with one account in ten drifted 60% on one ticker.
        size = rng.uniform(20_000, 500_000)
        skewed = rng.randrange(10) if i % 10 == 0 else -1
        for t in range(10):
            value = size / 10 * rng.uniform(0.97, 1.03) * (1.6 if t == skewed else 1.0)
            q = round(value / last_prices[t], 3)
            p.write(f"{name},E{t},{q},{round(value * 0.9, 2)}\n")
        # Idle cash under 1% of the account, inside the policy's 2% cash band.
        p.write(f"{name},CASH,{int(size * rng.uniform(0, 0.01))}.25,\n")
with open(os.path.join(work, "policy.yaml"), "w") as f:
    f.write("{ look: daily, trigger: threshold, absolute: 5%, relative: 25%, cashBand: 2% }\n")
PY

run() { # label, db
  local label="$1" db="$2"
  echo "== $label"
  $BALLAST init --db "$db" >/dev/null
  $BALLAST prices import "$WORK/prices.csv" --db "$db" >/dev/null
  $BALLAST model set bench --targets "E0=10%,E1=10%,E2=10%,E3=10%,E4=10%,E5=10%,E6=10%,E7=10%,E8=10%,E9=10%" --policy-file "$WORK/policy.yaml" --db "$db" >/dev/null
  /usr/bin/time -f "import accounts: %e s, peak %M KB" $BALLAST import accounts "$WORK/accounts.csv" --db "$db" >/dev/null
  /usr/bin/time -f "import positions: %e s, peak %M KB" $BALLAST import positions "$WORK/positions.csv" --as-of 2025-09-30 --db "$db" >/dev/null
  for i in 1 2 3; do
    /usr/bin/time -f "check --all --json (run $i): %e s, peak %M KB" $BALLAST check --all --as-of 2025-09-30 --db "$db" --json > "$WORK/check.json" || true
  done
  /usr/bin/time -f "check --all, table: %e s, peak %M KB" $BALLAST check --all --as-of 2025-09-30 --db "$db" > "$WORK/check.txt" || true
  head -1 "$WORK/check.txt"
  python3 -c "import json,sys; d=json.load(open('$WORK/check.json')); print('accounts', d['accounts'], 'need rebalancing', d['needRebalancing'], 'errors', d['errors'])"
}

rm -f "$WORK/scale.db"*
run "SQLite" "$WORK/scale.db"
if [ -n "${BALLAST_TEST_PG:-}" ] && [ -z "${BALLAST_SCALE_SQLITE_ONLY:-}" ]; then
  PG_DB="ballast_scale_$$"
  psql_conn="${BALLAST_TEST_PG/Database=postgres/Database=$PG_DB}"
  PGPASSWORD=ballast psql -h 127.0.0.1 -p 55432 -U ballast -d postgres -qc "CREATE DATABASE $PG_DB" 
  run "PostgreSQL" "$psql_conn"
  PGPASSWORD=ballast psql -h 127.0.0.1 -p 55432 -U ballast -d postgres -qc "DROP DATABASE $PG_DB WITH (FORCE)"
fi
echo "machine: $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
