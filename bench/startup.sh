#!/usr/bin/env bash
# Whole-process times of `ballast`, the JIT build (`dotnet ballast.dll`) and the Native AOT build side by side:
#   check   ballast check examples/sixty-forty.yaml
#   plan    ballast plan examples/krw-portfolio.yaml --json
#   backtest ballast backtest bench/startup/backtest-10-assets.yaml   (10 ETFs, 4 policies, 20 years of daily closes)
# Each command runs RUNS times (default 20) per build after WARMUP runs (default 3); the two builds alternate run by
# run, so a change in the machine's load reaches both alike. Prints the median, fastest and slowest in ms and the
# native build's speed-up. Builds what it times first: the JIT build with `dotnet publish -c Release` into
# bench/out/jit, the native one with build/native.sh into dist/ (skip both with --no-build).
# Usage: bench/startup.sh [--no-build] [RUNS]
# The backtest reads ../shared/data/etf_daily/etf_adj_close_wide.csv beside the repository (BALLAST_BENCH_PRICES
# names another copy of that file).
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
if [ "${1:-}" = "--no-build" ]; then build=0; shift; fi
runs="${1:-20}"
warmup="${WARMUP:-3}"
jit_dir=bench/out/jit
native=dist/ballast

if [ "$build" -eq 1 ]; then
  echo "building the JIT build into $jit_dir and the native build into dist/ ..." >&2
  dotnet publish src/Ballast.Cli -c Release -o "$jit_dir" --nologo -v quiet >&2
  bash build/native.sh dist >/dev/null
fi
[ -f "$jit_dir/ballast.dll" ] || { echo "no $jit_dir/ballast.dll: run without --no-build" >&2; exit 1; }
[ -x "$native" ] || { echo "no $native: run without --no-build" >&2; exit 1; }

prices=()
if [ -n "${BALLAST_BENCH_PRICES:-}" ]; then prices=(--prices "$BALLAST_BENCH_PRICES"); fi
names=(check plan backtest)
commands=(
  "check examples/sixty-forty.yaml"
  "plan examples/krw-portfolio.yaml --json"
  "backtest bench/startup/backtest-10-assets.yaml ${prices[*]:-}"
)

# Milliseconds of one run of "$@", to a tenth of a millisecond; output discarded, exit code ignored (check exits 1
# when a rebalance is due). Bash's EPOCHREALTIME reads the clock without starting a process; `date +%s%N` otherwise.
time_ms() {
  local start end
  if [ -n "${EPOCHREALTIME:-}" ]; then
    start=${EPOCHREALTIME/[.,]/}
    "$@" >/dev/null 2>&1 || true
    end=${EPOCHREALTIME/[.,]/}
  else
    start=$(( $(date +%s%N) / 1000 ))
    "$@" >/dev/null 2>&1 || true
    end=$(( $(date +%s%N) / 1000 ))
  fi
  awk -v us=$(( end - start )) 'BEGIN { printf "%.1f\n", us / 1000 }'
}

# median, fastest and slowest of the numbers on standard input
stats() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f %.1f %.1f\n", m, v[1], v[NR] }'; }

cpu="$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
echo "machine: $(nproc) cores ($cpu), $(free -g | awk '/Mem:/ { print $2 }') GiB, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "jit: dotnet $jit_dir/ballast.dll (.NET $(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ { v = $2 } END { print v }')); native: $native ($(du -h "$native" | cut -f1))"
echo "$runs runs each after $warmup warm-up runs; times in ms (median, fastest..slowest)"
echo
printf '%-9s %-44s %24s %24s %9s\n' command "arguments" "JIT median (min..max)" "native median (min..max)" speed-up
for i in "${!names[@]}"; do
  read -ra args <<<"${commands[$i]}"
  for _ in $(seq "$warmup"); do
    dotnet "$jit_dir/ballast.dll" "${args[@]}" >/dev/null 2>&1 || true
    "$native" "${args[@]}" >/dev/null 2>&1 || true
  done
  jit_times=() native_times=()
  for _ in $(seq "$runs"); do
    jit_times+=("$(time_ms dotnet "$jit_dir/ballast.dll" "${args[@]}")")
    native_times+=("$(time_ms "$native" "${args[@]}")")
  done
  read -r jm jlo jhi < <(printf '%s\n' "${jit_times[@]}" | stats)
  read -r nm nlo nhi < <(printf '%s\n' "${native_times[@]}" | stats)
  speedup=$(awk -v a="$jm" -v b="$nm" 'BEGIN { printf "%.1fx", a / b }')
  printf '%-9s %-44s %24s %24s %9s\n' "${names[$i]}" "${commands[$i]}" "$jm ($jlo..$jhi)" "$nm ($nlo..$nhi)" "$speedup"
  if [ "${names[$i]}" = check ]; then check_native="$nm"; fi
done
echo
verdict=$(awk -v m="$check_native" 'BEGIN { print (m < 60) ? "met" : "NOT met" }')
echo "target: native check under 60 ms median as a whole process: $verdict ($check_native ms)"
