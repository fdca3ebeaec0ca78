#!/usr/bin/env bash
# Builds the Debian package attnscope_<version>_amd64.deb: scripts/package.sh [--build-only]
# The programs are built for any x86-64 (no -march=native); the core library is built again
# for x86-64-v3 (AVX2) and x86-64-v4 (AVX-512), and the dynamic loader picks the copy the CPU
# runs (see core/CMakeLists.txt). Installs what it needs (scripts/deps.sh package), builds into
# build-package/ (or $ATTNSCOPE_PACKAGE_BUILD_DIR), and prints the path of the .deb.
# Install it with: sudo apt install ./attnscope_<version>_amd64.deb
# --build-only builds the programs but makes no .deb (scripts/bench.sh --portable times them).
set -euo pipefail
cd "$(dirname "$0")/.."
build_only=0
for arg in "$@"; do
  case "$arg" in
    --build-only) build_only=1 ;;
    *) echo "usage: $0 [--build-only]" >&2; exit 2 ;;
  esac
done
scripts/deps.sh package
build_dir=${ATTNSCOPE_PACKAGE_BUILD_DIR:-build-package}
# shellcheck disable=SC2086  # the extra options are separate words
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DATTNSCOPE_NATIVE=OFF \
  -DATTNSCOPE_DISPATCH=ON -DATTNSCOPE_BUILD_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr \
  ${ATTNSCOPE_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)" >/dev/null
[[ $build_only -eq 1 ]] && exit 0
rm -f "$build_dir"/attnscope_*.deb
(cd "$build_dir" && cpack -G DEB >/dev/null)
deb=$(ls "$build_dir"/attnscope_*_amd64.deb)
realpath "$deb"
