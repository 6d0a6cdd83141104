#!/bin/sh
# Installs Debian's Chromium (/usr/bin/chromium) and chromedriver (/usr/bin/chromedriver, package chromium-driver) for
# the browser tests: the report rendering test (tests/Ballast.Backtest.Tests, BrowserRenderTests) and the desk's tests
# (tests/Ballast.Service.Tests/Dashboard), and for bench/screenshots.sh. Safe to run repeatedly.
set -eu
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    echo "chromium and chromedriver already installed"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium chromium-driver
/usr/bin/chromium --version
/usr/bin/chromedriver --version
