#!/usr/bin/env bash
# Builds the native `ballast`: a Native AOT, self-contained executable for this machine's Linux architecture, into
# dist/ (or the folder given as the first argument), with the SQLite library it loads beside it:
#   dist/ballast  dist/libe_sqlite3.so      (keep the two together; nothing else is needed, not even .NET)
# Installs Debian's clang and zlib1g-dev (the AOT compiler's linker and zlib) when missing. Idempotent: a second
# run with nothing changed only checks that the build is up to date. Extra arguments go to `dotnet publish`.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist}"
shift || true

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
dpkg-query -W -f='${Status}' zlib1g-dev 2>/dev/null | grep -q "install ok installed" || missing+=(zlib1g-dev)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  as_root apt-get update >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y "${missing[@]}" >&2
fi

case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64 | arm64) rid=linux-arm64 ;;
  *) echo "build/native.sh: no Native AOT build for $(uname -m)" >&2; exit 1 ;;
esac

dotnet publish src/Ballast.Cli -c Release -r "$rid" -p:PublishAot=true -o "$out" --nologo "$@" >&2
echo "$out/ballast"
