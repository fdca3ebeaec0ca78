#!/usr/bin/env bash
# Tests the Debian package as a user gets it: tests/package_test.sh DEB
# Checks it with lintian (no errors) and its Depends against the libraries its programs
# really load, installs it with apt-get, runs the installed programs from a folder outside
# the source tree (the translation, the version, a batch export and the window under Xvfb,
# the copy of the core each CPU level loads, no AVX in what must run on any x86-64),
# validates the desktop entry, then removes the package and checks that nothing is left.
# Needs root (or sudo): it installs and removes the package. scripts/test.sh runs it.
set -euo pipefail
deb=$(realpath "${1:?usage: $0 attnscope_VERSION_amd64.deb}")
if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
failures=0
pass() { echo "  ok: $*"; }
fail() {
  echo "  FAILED: $*" >&2
  failures=$((failures + 1))
}
check() {  # check "what" command...: passes when the command succeeds
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

echo "== package: $(basename "$deb")"
version=$(dpkg-deb -f "$deb" Version)
[[ $(basename "$deb") == "attnscope_${version}_amd64.deb" ]] &&
  pass "file name attnscope_${version}_amd64.deb" || fail "file name $(basename "$deb")"

# lintian: errors fail the test; the warnings and notes left are printed.
lintian_out=$(lintian --tag-display-limit 0 "$deb" 2>&1 || true)
if grep -q '^E: ' <<<"$lintian_out"; then
  fail "lintian reports errors:"
  grep '^E: ' <<<"$lintian_out" >&2
else
  pass "lintian: no errors"
fi
grep -v '^E: ' <<<"$lintian_out" | sed 's/^/    lintian: /' || true

# A clean slate: a package left by an earlier, interrupted run goes first.
"${sudo[@]}" apt-get remove --purge -y -q attnscope >/dev/null 2>&1 || true
files_before=$(mktemp)
find /usr -path /usr/src -prune -o -print 2>/dev/null | sort >"$files_before"
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends \
  "$deb" >/dev/null
check "installed with apt-get" test -x /usr/bin/attnscope
mapfile -t installed < <(dpkg -L attnscope)

# Depends names the package of every library the installed programs load.
depends=$(dpkg-deb -f "$deb" Depends)
echo "  Depends: $depends"
# The package that owns a file, trying the names a merged /usr gives it ("" if none).
owner_of() {
  local real candidate
  real=$(realpath "$1")
  for candidate in "$1" "$real" "${real#/usr}" "/usr$real"; do
    dpkg -S "$candidate" 2>/dev/null | head -n 1 | cut -d: -f1 && return
  done
}
depends_names=" $(sed -E 's/ \([^)]*\)//g; s/ *\| */ /g; s/,/ /g' <<<"$depends") "
# The libraries each program and the core name themselves (NEEDED); what those load in turn
# is their own packages' business.
core_lib=$(ldd /usr/bin/attnscope-cli | awk '$1 == "libattnscope_core.so" { print $3 }')
for program in /usr/bin/attnscope /usr/bin/attnscope-cli /usr/bin/attnscope-train "$core_lib"; do
  needed=" $(objdump -p "$program" | awk '$1 == "NEEDED" { print $2 }' | tr '\n' ' ') "
  while read -r library path; do
    [[ "$library" == libattnscope_core.so || "$needed" != *" $library "* ]] && continue
    owner=$(owner_of "$path")
    if [[ -z "$owner" ]]; then
      fail "$program loads $path, which no package owns"
    elif [[ "$depends_names" != *" $owner "* && "$owner" != attnscope ]]; then
      fail "$program loads $library from $owner, which Depends does not name"
    fi
  done < <(ldd "$program" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }')
done
[[ "$depends" == *fonts-dejavu-core* ]] && pass "Depends names every library and the font" ||
  fail "Depends lacks fonts-dejavu-core (the app's font)"

work=$(mktemp -d /tmp/attnscope-package-test.XXXXXX)
cd "$work"
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config"
mkdir -p "$HOME"

translation=$(attnscope-cli translate "hello , how are you ?" 2>&1 || true)
[[ "$translation" == "bonjour, comment allez-vous?" ]] &&
  pass "attnscope-cli translate from $work: $translation" ||
  fail "attnscope-cli translate gave '$translation'"
for program in attnscope attnscope-cli attnscope-train; do
  line=$("$program" --version 2>&1 || true)
  [[ "$line" == "$program $version"* ]] && pass "$line" || fail "$program --version: '$line'"
done

# The view exported with the installed renderer, shaders and bundled model.
xvfb-run -a -s "-screen 0 1600x1000x24" attnscope export \
  --text "the little black cat does not eat the fish ." --kind cross --layer 1 --head 0 \
  --view heatmap --out "$work/view.png" >/dev/null || true
kind=$(file -b "$work/view.png" 2>/dev/null || true)
[[ "$kind" == "PNG image data, 1280 x 800,"* && $(stat -c %s "$work/view.png") -gt 20000 ]] &&
  pass "attnscope export: $kind" || fail "attnscope export wrote '$kind'"
# The window: it opens, finds the bundled model and draws its heatmap.
xvfb-run -a -s "-screen 0 1600x1000x24" attnscope --size 1200x800 --frames 20 \
  --screenshot "$work/window.png" >/dev/null || true
grep -q '"matrix"' "$work/window.png.json" 2>/dev/null &&
  pass "the window opens with the bundled model ($(file -b "$work/window.png" | cut -d, -f1-2))" ||
  fail "the window did not show a heatmap: $(cat "$work/window.png.json" 2>/dev/null)"

check "desktop-file-validate" desktop-file-validate /usr/share/applications/attnscope.desktop
for size in 16 32 48 64 128 256 512; do
  icon=/usr/share/icons/hicolor/${size}x${size}/apps/attnscope.png
  [[ "$(file -b "$icon" 2>/dev/null)" == "PNG image data, $size x $size,"* ]] ||
    fail "icon $icon is missing or not $size x $size"
done
check "icons at every size, and the SVG" grep -q '<svg' /usr/share/icons/hicolor/scalable/apps/attnscope.svg

# What runs on any x86-64 holds no AVX instruction: the programs and the plain core.
libdir=$(dirname "$core_lib")
libdir=${libdir%/glibc-hwcaps/*}
for binary in /usr/bin/attnscope /usr/bin/attnscope-cli /usr/bin/attnscope-train \
              "$libdir/libattnscope_core.so"; do
  avx=$(objdump -d --no-show-raw-insn "$binary" | grep -c '%[yz]mm' || true)
  [[ "$avx" -eq 0 ]] && pass "no AVX in $binary" || fail "$binary uses AVX registers $avx times"
done
# Each CPU level loads its own copy of the core, and all give the same translations.
reference=""
for mask in "" -AVX512F -AVX2; do
  loaded=$(GLIBC_TUNABLES=${mask:+glibc.cpu.hwcaps=$mask} LD_DEBUG=libs attnscope-cli --version \
    2>&1 >/dev/null | sed -n 's/.*calling init: \(.*libattnscope_core.so\)$/\1/p')
  result=$(GLIBC_TUNABLES=${mask:+glibc.cpu.hwcaps=$mask} attnscope-cli eval --task toy-en-fr \
    --split test --count 200 | grep -E '^(exact|BLEU|best head) ' | tr -s ' ' | tr '\n' ' ')
  echo "  CPU features ${mask:-as they are}: $loaded: $result"
  [[ -z "$reference" ]] && reference=$result
  [[ "$result" == "$reference" && -n "$result" ]] || fail "level ${mask:-native} scores differently"
done
[[ $(ls "$libdir"/glibc-hwcaps) == *x86-64-v3*x86-64-v4* ]] && pass "copies for x86-64-v3 and -v4" ||
  fail "the core's glibc-hwcaps copies are missing"

cd /
"${sudo[@]}" apt-get remove --purge -y -q attnscope >/dev/null
left=0
for path in "${installed[@]}"; do
  [[ "$path" == /. ]] && continue
  if [[ -e "$path" ]] && ! grep -qxF "$path" "$files_before"; then
    echo "  left behind: $path" >&2
    left=1
  fi
done
[[ $left -eq 0 ]] && pass "removed: nothing it installed is left" || fail "files left after removal"
rm -rf "$work" "$files_before"

if [[ $failures -gt 0 ]]; then
  echo "package test: $failures failure(s)" >&2
  exit 1
fi
echo "package test: all passed"
