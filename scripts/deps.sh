#!/usr/bin/env bash
# Installs the Debian packages a task needs, only when some are missing.
# usage: scripts/deps.sh build|run|test|bench|bench-torch|package|fuzz
set -euo pipefail

# The desktop app's libraries and font come with every build: the configure step looks for them.
build=(cmake g++ make pkg-config libeigen3-dev nlohmann-json3-dev
       libglfw3-dev libimgui-dev libstb-dev libgl-dev libgl1-mesa-dri fonts-dejavu-core)
# Xvfb gives the render and end-to-end tests a display (and run.sh one when there is none);
# xdotool types and clicks in the window, xclip puts arbitrary bytes on its clipboard.
run=("${build[@]}" xvfb xauth)
# scripts/package.sh: dpkg-shlibdeps (dpkg-dev) computes the package's Depends; CPack uses file
# to find the programs among the installed files; help2man writes the man pages from the
# programs' --help.
package=("${build[@]}" dpkg-dev file help2man)
# The test of the package (tests/package_test.sh) checks it with lintian and
# desktop-file-validate, and runs the installed app under Xvfb.
test=("${package[@]}" doctest-dev xvfb xauth xdotool xclip lintian desktop-file-utils)
# scripts/bench.sh times PyTorch beside attnscope unless given --no-torch.
bench=("${build[@]}")
bench_torch=("${build[@]}" python3 python3-torch python3-numpy libopenblas0-pthread libopenblas0-openmp)
# scripts/fuzz.sh: libFuzzer and the sanitizer runtimes come with clang; OpenMP for clang is
# libomp; llvm-14 has the symbolizer that puts file and line in crash reports. Only the core
# and two plain sources of the app are built, so none of the app's libraries.
fuzz=(clang-14 libclang-rt-14-dev libomp-14-dev llvm-14 cmake make libeigen3-dev nlohmann-json3-dev)

case "${1:-test}" in
  build) wanted=("${build[@]}") ;;
  run) wanted=("${run[@]}") ;;
  test) wanted=("${test[@]}") ;;
  bench) wanted=("${bench[@]}") ;;
  bench-torch) wanted=("${bench_torch[@]}") ;;
  package) wanted=("${package[@]}") ;;
  fuzz) wanted=("${fuzz[@]}") ;;
  *) echo "usage: $0 build|run|test|bench|bench-torch|package|fuzz" >&2; exit 2 ;;
esac

missing=()
for package in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "installing: ${missing[*]}" >&2
if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "error: missing packages (${missing[*]}) and neither root nor sudo to install them" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
