#!/usr/bin/env bash
# Builds attnscope and opens its window with the bundled model and a sample sentence:
# scripts/run.sh ["your sentence"]
# Without a display it says so, and exports the default view through Xvfb instead.
# Needs only what it installs (scripts/deps.sh run): the tests are not built.
# $ATTNSCOPE_CMAKE_ARGS adds CMake options (scripts/test.sh checks this path with doctest hidden).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh run
build_dir=${ATTNSCOPE_BUILD_DIR:-build}
# shellcheck disable=SC2086  # the extra options are separate words
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DATTNSCOPE_BUILD_TESTS=OFF \
  ${ATTNSCOPE_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)" --target attnscope attnscope-cli >/dev/null
app="$build_dir/app/attnscope"
sentence=${1:-"the little black cat does not eat the fish ."}
model=assets/models/toy-en-fr

if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  exec "$app" --model "$model" --text "$sentence"
fi

echo "No display here (DISPLAY is not set): exporting the default view through Xvfb instead."
out="$build_dir/attnscope-view.png"
xvfb-run -a -s "-screen 0 1600x1000x24" \
  "$app" export --model "$model" --text "$sentence" --view heatmap --kind cross --layer 1 \
  --head 0 --scale 2 --out "$out" >/dev/null
echo "source:      $sentence"
echo "translation: $("$build_dir/app/attnscope-cli" translate --model "$model" "$sentence")"
echo "cross-attention, layer 1, head 0: $(realpath "$out")"
