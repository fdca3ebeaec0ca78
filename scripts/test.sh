#!/usr/bin/env bash
# Builds everything and runs every test: scripts/test.sh [--quick]
#   1. a Release build and every suite (unit, reference, render and window tests);
#   2. a build with AddressSanitizer + UndefinedBehaviorSanitizer (LeakSanitizer on) and every
#      suite again under them, but the ones that drive OpenGL (Mesa's own allocations are not
#      ours to judge);
#   3. each fuzz target for 30 s (scripts/fuzz.sh).
# --quick runs the first step only. Installs the Debian packages it needs first.
# Build trees: build/ (or $ATTNSCOPE_BUILD_DIR), build-asan/, build-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
  esac
done
scripts/deps.sh test
build_dir=${ATTNSCOPE_BUILD_DIR:-build}
jobs=$(nproc)

echo "== tests (Release)"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DATTNSCOPE_BUILD_TESTS=ON >/dev/null
cmake --build "$build_dir" --parallel "$jobs"
ctest --test-dir "$build_dir" --output-on-failure --timeout 600
[[ $quick -eq 1 ]] && exit 0

echo "== tests under AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATTNSCOPE_SANITIZE=ON \
  -DATTNSCOPE_BUILD_GUI=OFF >/dev/null
cmake --build build-asan --parallel "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure --timeout 1200

echo "== fuzzing"
scripts/fuzz.sh --seconds 30
