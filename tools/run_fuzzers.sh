#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (--config=fuzz: libFuzzer + ASan + UBSan)
# and runs each one for a bounded time, starting from its seed corpus (tests/fuzz/corpus/<name>)
# and its crash regressions (tests/fuzz/regressions/<name>). Fails if any fuzzer finds a crash,
# sanitizer report, timeout or out-of-memory, and prints the reproducer's path and command.
#
# The build uses its own Bazel output base (switching CC re-runs the C++ toolchain
# autoconfiguration, which must not happen in the shared one); its server exits after 5 idle
# minutes. The repository is not modified: new corpus entries go to a temporary directory.
#
# Environment:
#   FUZZ_SECONDS              seconds per fuzzer (default 60)
#   FUZZERS                   space-separated subset (default: all five)
#   FLOWLET_FUZZ_OUTPUT_BASE  Bazel output base (default ~/.cache/flowlet_fuzz)
#   FUZZ_ARTIFACT_DIR         where crash inputs and logs go (default: a new /tmp directory)
#   FUZZ_EXTRA_ARGS           more libFuzzer flags, e.g. "-seed=1"
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
fuzzers=(${FUZZERS:-graphdef_binary graphdef_text npy checkpoint cli_specs})
output_base=${FLOWLET_FUZZ_OUTPUT_BASE:-$HOME/.cache/flowlet_fuzz}
artifacts=${FUZZ_ARTIFACT_DIR:-$(mktemp -d /tmp/flowlet_fuzz.XXXXXX)}
mkdir -p "$artifacts"
bazel_cmd=(bazel --output_base="$output_base" --max_idle_secs=300)

start=$(date +%s)
if ! "${bazel_cmd[@]}" build --config=fuzz //tests/fuzz:all_fuzzers; then
  echo "run_fuzzers: the clang fuzz build failed" >&2
  exit 1
fi
bin=$("${bazel_cmd[@]}" info --config=fuzz bazel-bin 2>/dev/null)
built=$(date +%s)
echo "run_fuzzers: build took $((built - start)) s; artifacts in $artifacts"

export OMP_NUM_THREADS=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
for name in "${fuzzers[@]}"; do
  binary="$bin/tests/fuzz/${name}_fuzzer"
  if [ ! -x "$binary" ]; then
    echo "run_fuzzers: no fuzzer '$name' ($binary)" >&2
    failed+=("$name")
    continue
  fi
  # libFuzzer writes new inputs into the first directory only; the seeds are read-only inputs.
  work=$(mktemp -d "$artifacts/${name}_corpus.XXXXXX")
  seeds=(tests/fuzz/corpus/"$name")
  [ -d tests/fuzz/regressions/"$name" ] && seeds+=(tests/fuzz/regressions/"$name")
  dict=()
  case "$name" in
    graphdef_*) dict=(-dict=tests/fuzz/graphdef.dict) ;;
    npy | checkpoint) dict=(-dict=tests/fuzz/npy.dict) ;;
    *) [ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict") ;;
  esac
  log="$artifacts/$name.log"
  echo "run_fuzzers: $name for $seconds s (log $log)"
  # shellcheck disable=SC2086
  "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$name-" "${dict[@]}" ${FUZZ_EXTRA_ARGS:-} \
    "$work" "${seeds[@]}" >"$log" 2>&1
  status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  echo "run_fuzzers: $name: exit $status, ${runs:-?} runs, ${speed:-?} exec/s, ${cov:-cov: ?}"
  if [ "$status" -ne 0 ]; then
    failed+=("$name")
    grep -E "ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error|ALARM|out-of-memory|SUMMARY" \
      "$log" | head -5
    reproducer=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    if [ -n "$reproducer" ]; then
      echo "run_fuzzers: $name: reproducer $reproducer"
      echo "  replay:   $binary $reproducer"
      echo "  minimize: $binary -minimize_crash=1 -max_total_time=60 $reproducer"
      echo "  then add it to tests/fuzz/regressions/$name/ (bazel test //tests/fuzz:${name}_fuzzer_test)"
    fi
    echo "---- last lines of $log ----"
    tail -40 "$log"
  fi
done

echo "run_fuzzers: total $(($(date +%s) - start)) s"
if [ "${#failed[@]}" -ne 0 ]; then
  echo "run_fuzzers: FAILED: ${failed[*]}"
  exit 1
fi
echo "run_fuzzers: all ${#fuzzers[@]} fuzzers ran ${seconds} s without a finding"
