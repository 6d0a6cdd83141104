#!/usr/bin/env bash
# Starts the PostgreSQL server the store tests run against, and prints its connection string.
# Idempotent: installs Debian's postgresql when missing, creates a dedicated cluster "ballast" on
# port 55432 (owned by the postgres user) when missing, starts it when stopped, and creates the
# role the tests log in as. Usage: export BALLAST_TEST_PG="$(.ci/postgres.sh)"
set -euo pipefail

PORT="${BALLAST_PG_PORT:-55432}"
ROLE="${BALLAST_PG_ROLE:-ballast}"
PASSWORD="${BALLAST_PG_PASSWORD:-ballast}"
CLUSTER=ballast

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "installing postgresql" >&2
  as_root apt-get update >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y postgresql >&2
fi

VERSION="$(ls /usr/lib/postgresql | sort -V | tail -1)"

if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$VERSION $CLUSTER"; then
  echo "creating cluster $VERSION/$CLUSTER on port $PORT" >&2
  as_root pg_createcluster "$VERSION" "$CLUSTER" -p "$PORT" >&2
fi

# Sized for this machine (2 cores, 24 GB) as a production server would be, not left at the 128 MB defaults: a window over
# a million accounts writes gigabytes in one transaction. Written once; the server restarts only when a setting changed.
CONF="/etc/postgresql/$VERSION/$CLUSTER/conf.d/ballast.conf"
WANT="shared_buffers = '4GB'
max_wal_size = '16GB'
checkpoint_timeout = '30min'
wal_buffers = '64MB'
maintenance_work_mem = '512MB'"
if [ "$(cat "$CONF" 2>/dev/null)" != "$WANT" ]; then
  echo "configuring cluster $VERSION/$CLUSTER ($CONF)" >&2
  printf '%s\n' "$WANT" | as_root tee "$CONF" >/dev/null
  if pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $4}' | grep -qx online; then
    as_root pg_ctlcluster "$VERSION" "$CLUSTER" restart >&2
  fi
fi

if ! pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $4}' | grep -qx online; then
  echo "starting cluster $VERSION/$CLUSTER" >&2
  as_root pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi

# Wait until the server accepts connections.
for _ in $(seq 1 30); do
  if as_root runuser -u postgres -- psql -p "$PORT" -h /var/run/postgresql -d postgres -Atc 'select 1' >/dev/null 2>&1; then break; fi
  sleep 1
done

as_root runuser -u postgres -- psql -p "$PORT" -h /var/run/postgresql -d postgres -v ON_ERROR_STOP=1 -q >&2 <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ROLE') THEN
    CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
  ELSE
    ALTER ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
  END IF;
END
\$\$;
-- Lets the tests' DROP DATABASE ... WITH (FORCE) end an autovacuum worker still in a test database.
GRANT pg_signal_backend TO $ROLE;
SQL

echo "Host=127.0.0.1;Port=$PORT;Username=$ROLE;Password=$PASSWORD;Database=postgres"
