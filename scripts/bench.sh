#!/usr/bin/env bash
# Times attnscope against PyTorch on the same configurations, side by side:
# scripts/bench.sh [--threads N] [--runs N] [--no-torch]
#   [--only toy,small,base,long,greedy_toy,greedy_base,train_toy,train_small]
# scripts/bench.sh --portable [--threads N] [--runs N] [--rounds N] [--only toy,base,greedy_base]
#   times the packaged build (scripts/package.sh --build-only: any x86-64, with the core picked
#   for the CPU at load time) beside the native one (-march=native), and the packaged build
#   held to plain x86-64, case by case in turns; prints each median and the ratios.
# $ATTNSCOPE_CMAKE_ARGS adds CMake options.
set -euo pipefail
cd "$(dirname "$0")/.."
portable=0
torch=1
args=()
for arg in "$@"; do
  case "$arg" in
    --portable) portable=1 ;;
    --no-torch) torch=0; args+=("$arg") ;;
    *) args+=("$arg") ;;
  esac
done
if [[ $portable -eq 1 || $torch -eq 0 ]]; then scripts/deps.sh bench; else scripts/deps.sh bench-torch; fi
build_dir=${ATTNSCOPE_BUILD_DIR:-build}
# shellcheck disable=SC2086  # the extra options are separate words
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DATTNSCOPE_BUILD_TESTS=OFF \
  ${ATTNSCOPE_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)" --target attnscope-bench >/dev/null
native="$build_dir/app/attnscope-bench"
[[ $portable -eq 0 ]] && exec "$native" "${args[@]}"

# --portable: the same cases, one run of each build in turn, several rounds.
threads=1 runs=10 rounds=3 only=toy,base,greedy_base
set -- "${args[@]}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) echo "error: --portable takes --threads, --runs, --rounds and --only, not $1" >&2; exit 2 ;;
  esac
done
scripts/package.sh --build-only
packaged="${ATTNSCOPE_PACKAGE_BUILD_DIR:-build-package}/app/attnscope-bench"
# The median of one case from one run of a bench binary: the table row's second column, in ms.
median() {
  "$@" --no-torch --threads "$threads" --runs "$runs" --only "$case" 2>/dev/null |
    awk -v c="$case" '$1 == c { print $2 }'
}
# The middle value of its arguments (the upper middle of an even count).
middle() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int(NR / 2) + 1] }'; }
printf '%-12s %12s %12s %14s %9s %9s\n' case native packaged "packaged x86-64" "pkg/nat" "x86-64/nat"
IFS=, read -r -a cases <<<"$only"
for case in "${cases[@]}"; do
  n=() p=() b=()
  for ((r = 0; r < rounds; ++r)); do
    n+=("$(median "$native")")
    p+=("$(median "$packaged")")
    # glibc's loader skips the AVX2 and AVX-512 copies when told the CPU lacks AVX2.
    b+=("$(GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2 median "$packaged")")
  done
  med_n=$(middle "${n[@]}") med_p=$(middle "${p[@]}") med_b=$(middle "${b[@]}")
  awk -v c="$case" -v n="$med_n" -v p="$med_p" -v b="$med_b" 'BEGIN {
    printf "%-12s %9.3f ms %9.3f ms %11.3f ms %8.2fx %8.2fx\n", c, n, p, b, p / n, b / n }'
done
echo "(medians of $rounds rounds of $runs runs each, $threads thread(s); ratio > 1: slower than native)"
