#!/usr/bin/env bash
# Builds everything and runs every test: scripts/test.sh
# Installs the Debian packages it needs first. Build tree: build/ (or $ATTNSCOPE_BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
build_dir=${ATTNSCOPE_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DATTNSCOPE_BUILD_TESTS=ON
cmake --build "$build_dir" --parallel "$(nproc)"
ctest --test-dir "$build_dir" --output-on-failure --timeout 600
