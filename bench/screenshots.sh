#!/usr/bin/env bash
# Screenshots of the desk's main pages (queue, window run, proposals, account, model) into docs/screenshots/desk-*.png:
# runs the desk's screenshot test (tests/Ballast.Service.Tests/Dashboard) with BALLAST_SCREENSHOTS=1, which starts
# `ballast serve` on 127.0.0.1 over a SQLite store set up by the test (see DeskHost.cs) and drives Debian's headless
# Chromium (.ci/install-chromium.sh installs it and chromedriver). Without the variable the test only checks that each
# page renders. Usage: bench/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-chromium.sh >&2
nice -n 15 dotnet build tests/Ballast.Service.Tests --nologo -v quiet >&2
BALLAST_SCREENSHOTS=1 nice -n 15 dotnet test tests/Ballast.Service.Tests --no-build --nologo \
  --filter "FullyQualifiedName~SqliteDeskTests.Screenshots_OfTheMainPages" >&2
ls -1 docs/screenshots/desk-*.png
