#!/usr/bin/env bash
# Times attnscope against PyTorch on the same configurations, side by side:
# scripts/bench.sh [--threads N] [--runs N] [--no-torch]
#   [--only toy,small,base,long,greedy_toy,greedy_base,train_toy,train_small]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh bench
build_dir=${ATTNSCOPE_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)" --target attnscope-bench >/dev/null
exec "$build_dir/app/attnscope-bench" "$@"
