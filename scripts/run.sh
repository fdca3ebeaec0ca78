#!/usr/bin/env bash
# Builds attnscope and translates a sample sentence with the bundled model, printing its
# attention: scripts/run.sh ["your sentence"]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
build_dir=${ATTNSCOPE_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)" --target attnscope-cli >/dev/null
cli="$build_dir/app/attnscope-cli"
sentence=${1:-"the little black cat does not eat the fish ."}
model=assets/models/toy-en-fr

"$cli" info --model "$model"
echo
echo "source:      $sentence"
echo -n "translation: "
"$cli" translate --model "$model" "$sentence"
echo
echo "cross-attention, layer 1, head 0 (rows: decoder positions, columns: source tokens):"
"$cli" trace --model "$model" --text "$sentence" --format csv --kind cross --layer 1 --head 0
