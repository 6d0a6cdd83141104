#!/usr/bin/env bash
# Runs every Ballast test. Installs what the tests need when it is missing (Debian's postgresql, chromium and
# chromium-driver, clang and zlib1g-dev, via apt-get), starts a local PostgreSQL cluster on port 55432 for the store
# tests, builds the Native AOT `ballast` into dist/ (build/native.sh) for the CLI scenarios that run against the
# shipped binary, then runs `dotnet test` over the whole solution. Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/install-chromium.sh >&2
BALLAST_TEST_PG="$(bash .ci/postgres.sh)"
export BALLAST_TEST_PG
BALLAST_CLI_BINARY="$(bash build/native.sh dist)"
export BALLAST_CLI_BINARY

dotnet test Ballast.slnx "$@"
