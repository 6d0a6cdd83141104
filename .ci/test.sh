#!/usr/bin/env bash
# Runs every Ballast test. Installs what the tests need when it is missing (Debian's postgresql, chromium and
# chromium-driver, via apt-get), starts a local PostgreSQL cluster on port 55432 for the store tests, then runs
# `dotnet test` over the whole solution. Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/install-chromium.sh >&2
BALLAST_TEST_PG="$(bash .ci/postgres.sh)"
export BALLAST_TEST_PG

dotnet test Ballast.slnx "$@"
