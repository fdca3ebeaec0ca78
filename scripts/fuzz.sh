#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser of untrusted input: scripts/fuzz.sh [--seconds N] [TARGET...]
# Installs clang and libFuzzer (scripts/deps.sh fuzz), builds tests/fuzz into build-fuzz/ (or
# $ATTNSCOPE_FUZZ_BUILD_DIR) with AddressSanitizer and UBSan, then runs each target (all of
# them unless named: safetensors config vocab tokenizer pairs settings) for N seconds
# (default 30) on a copy of its seed corpus (tests/fuzz/corpus/NAME), in one process, after
# replaying the inputs that once failed (tests/fuzz/regressions/NAME). Prints executions,
# speed and coverage per target; exits non-zero, naming the reproducer, when a target
# crashed, leaked, timed out or ran out of memory. Reproduce: build-fuzz/tests/fuzz/fuzz_NAME FILE
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=30
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    --seconds=*) seconds=${1#--seconds=}; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "error: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "error: --seconds takes a positive integer" >&2; exit 2; }
all=(safetensors config vocab tokenizer pairs settings)
[[ ${#targets[@]} -eq 0 ]] && targets=("${all[@]}")
for t in "${targets[@]}"; do
  [[ " ${all[*]} " == *" $t "* ]] || { echo "error: unknown target '$t' (${all[*]})" >&2; exit 2; }
done

scripts/deps.sh fuzz
build_dir=${ATTNSCOPE_FUZZ_BUILD_DIR:-build-fuzz}
# Two compile jobs by default: the instrumented core is heavy on memory.
jobs=${ATTNSCOPE_FUZZ_JOBS:-2}
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DATTNSCOPE_FUZZ=ON -DATTNSCOPE_BUILD_GUI=OFF -DATTNSCOPE_BUILD_TESTS=OFF -DATTNSCOPE_NATIVE=OFF
cmake --build "$build_dir" --target fuzz_all --parallel "$jobs"

# Crash reports name files and lines only with the symbolizer on PATH.
export PATH="/usr/lib/llvm-14/bin:$PATH"
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# The report in a failed run's log, from its first line on, without the progress lines.
show_failure() {
  local log=$1 first
  first=$(grep -n -m 1 -E 'invariant broken|runtime error|terminate called|==ERROR|ALARM|out-of-memory' \
    "$log" | cut -d: -f1 || true)
  tail -n +"${first:-1}" "$log" | grep -v -E '^#[0-9]+' | head -n 60 >&2
}

# One line saying what a failed run's log reports, the most specific cause first.
what_failed() {
  local log=$1 line
  for pattern in 'invariant broken: .*' 'runtime error: .*' "terminate called after throwing .*" \
                 'ERROR: AddressSanitizer: [a-z-]*' 'ERROR: LeakSanitizer: .*' \
                 'ERROR: libFuzzer: [a-z -]*' 'out-of-memory.*'; do
    line=$(grep -o -m 1 -E "$pattern" "$log" || true)
    if [[ -n "$line" ]]; then
      echo "${line:0:100}"
      return
    fi
  done
}

run_dir="$build_dir/fuzz-run"
failed=0
rows=()
for name in "${targets[@]}"; do
  binary="$build_dir/tests/fuzz/fuzz_$name"
  work="$run_dir/$name"
  # A fresh copy each run: libFuzzer adds what it finds to the corpus directory it is given,
  # and the seeds in the repository stay as committed.
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp tests/fuzz/corpus/"$name"/* "$work/corpus/"
  dict=()
  case "$name" in
    safetensors|config|settings) dict=(-dict="tests/fuzz/dict/$name.dict") ;;
    vocab|tokenizer|pairs) dict=(-dict=tests/fuzz/dict/text.dict) ;;
  esac
  results=()
  # Inputs that once failed must keep passing; each runs once, on its own.
  for input in tests/fuzz/regressions/"$name"/*; do
    [[ -f "$input" ]] || continue
    replay_log="$work/regression-$(basename "$input").log"
    if ! "$binary" "$input" >"$replay_log" 2>&1; then
      failed=1
      results+=("REGRESSION $input: $(what_failed "$replay_log")")
      echo "== $name: regression input $input fails again ($replay_log):" >&2
      show_failure "$replay_log"
    fi
  done

  log="$work/fuzz.log"
  echo "fuzzing $name for ${seconds}s (log: $log)" >&2
  status=0
  "$binary" "$work/corpus" "${dict[@]}" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 -artifact_prefix="$work/artifacts/" >"$log" 2>&1 || status=$?

  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -o ' cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || true)
  ft=$(grep -o ' ft: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || true)
  reproducer=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
  if [[ $status -eq 0 && -z "$reproducer" ]]; then
    results+=("nothing found")
  else
    failed=1
    kind=$(what_failed "$log")
    results+=("FOUND ${kind:-a failure (exit $status)}${reproducer:+, reproducer $reproducer}")
    echo "== $name: ${kind:-exit status $status} ($log):" >&2
    show_failure "$log"
    if [[ -n "$reproducer" ]]; then
      echo "== reproducer: $reproducer (run: $binary $reproducer)" >&2
    fi
  fi
  summary=$(printf '%s; ' "${results[@]}")
  rows+=("$(printf '%-12s %12s %9s %7s %8s  %s' "$name" "${execs:-?}" "${speed:-?}" \
    "${cov:-?}" "${ft:-?}" "${summary%; }")")
done

printf '\n%-12s %12s %9s %7s %8s  %s\n' target executions execs/s cov ft result
for row in "${rows[@]}"; do
  echo "$row"
done
exit "$failed"
