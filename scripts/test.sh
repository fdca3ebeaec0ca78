#!/usr/bin/env bash
# Builds everything and runs every test: scripts/test.sh [--quick]
#   0. the README's run command as a machine without the test packages runs it (doctest
#      hidden from CMake, no display), and the benchmark's build the same way;
#   1. a Release build and every suite (unit, reference, render and window tests);
#   2. the Debian package (scripts/package.sh), installed, used and removed
#      (tests/package_test.sh);
#   3. a build with AddressSanitizer + UndefinedBehaviorSanitizer (LeakSanitizer on) and every
#      suite again under them, but the ones that drive OpenGL (Mesa's own allocations are not
#      ours to judge);
#   4. each fuzz target for 30 s (scripts/fuzz.sh).
# --quick runs steps 0 and 1 only. Installs the Debian packages it needs first.
# Build trees: build/ (or $ATTNSCOPE_BUILD_DIR), build-package/, build-asan/, build-fuzz/.
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

# The run and bench scripts must need only the packages they install themselves: with
# doctest hidden, a configure step that still looked for it (or for anything else only the
# tests install) fails here. Both build into the same tree as the tests below, which then
# only add the test programs.
echo "== the run command, without the test packages and without a display"
hidden=-DCMAKE_DISABLE_FIND_PACKAGE_doctest=ON
run_out=$(env -u DISPLAY -u WAYLAND_DISPLAY ATTNSCOPE_CMAKE_ARGS=$hidden scripts/run.sh)
echo "$run_out"
png=$(sed -n 's/^cross-attention, layer 1, head 0: //p' <<<"$run_out")
[[ "$(file -b "$png")" == "PNG image data, 2560 x 1600,"* ]] ||
  { echo "error: scripts/run.sh exported no 2560 x 1600 PNG ('$png')" >&2; exit 1; }
echo "== the benchmark's build, without the test packages"
ATTNSCOPE_CMAKE_ARGS=$hidden scripts/bench.sh --no-torch --only toy --runs 3 | tail -n 4

echo "== tests (Release)"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DATTNSCOPE_BUILD_TESTS=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_doctest=OFF >/dev/null
cmake --build "$build_dir" --parallel "$jobs"
# --no-tests=error: a tree configured without doctest has no tests, and that must not pass.
ctest --test-dir "$build_dir" --output-on-failure --timeout 600 --no-tests=error
[[ $quick -eq 1 ]] && exit 0

echo "== the Debian package"
deb=$(scripts/package.sh)
tests/package_test.sh "$deb"

echo "== tests under AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATTNSCOPE_SANITIZE=ON \
  -DATTNSCOPE_BUILD_GUI=OFF >/dev/null
cmake --build build-asan --parallel "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure --timeout 1200

echo "== fuzzing"
scripts/fuzz.sh --seconds 30
