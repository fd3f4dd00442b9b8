#!/usr/bin/env bash
# Builds the `asan` preset (clang, ASan + UBSan, the libFuzzer targets) and runs every
# fuzz target for SECONDS (default 10) on a copy of its seed corpus, one after another.
#
#   tests/fuzz/run_fuzzers.sh [--bin-dir DIR] [SECONDS] [TARGET...] [-- LIBFUZZER_ARGS...]
#
# TARGET is config, native_trace, lackey_trace, decode_number, json_structure or
# set_override (default: all).
# Arguments after "--" go to every libFuzzer run, e.g. -runs=1000000 or -jobs=2.
# --bin-dir DIR uses the targets already built in DIR (what the CTest tests fuzz_*
# do) instead of building the preset.
# The corpora under tests/fuzz/corpus are never modified: each run works on a copy
# in a temporary directory, removed afterwards. Exits non-zero if any target found
# something (crash, sanitizer report, uncaught exception, broken property, hang of
# more than 30 s on one input, memory above 2 GiB); the input that caused it is kept
# under $S2SIM_FUZZ_ARTIFACTS (default build/asan/fuzz-artifacts/TARGET/) and the
# log next to it. Reproduce with: build/asan/tests/fuzz/s2sim-fuzz-TARGET ARTIFACT
set -euo pipefail
cd "$(dirname "$0")/../.."

bin_dir=""
if [[ $# -ge 2 && $1 == "--bin-dir" ]]; then
  bin_dir=$(realpath "$2")
  shift 2
fi
seconds=10
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
  seconds=$1
  shift
fi
targets=()
while [[ $# -gt 0 && $1 != "--" ]]; do
  targets+=("$1")
  shift
done
[[ $# -gt 0 ]] && shift  # the "--"
extra=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(config native_trace lackey_trace decode_number json_structure set_override)
for t in "${targets[@]}"; do
  [[ -d tests/fuzz/corpus/$t ]] || { echo "run_fuzzers: unknown target \"$t\"" >&2; exit 2; }
done

if [[ -z $bin_dir ]]; then
  scripts/setup-deps.sh
  cmake --preset asan >/dev/null
  cmake --build --preset asan
  bin_dir=$PWD/build/asan/tests/fuzz
fi
artifacts=$(realpath -m "${S2SIM_FUZZ_ARTIFACTS:-build/asan/fuzz-artifacts}")
work=$(mktemp -d "${TMPDIR:-/tmp}/s2sim-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
# ASan returning freed memory to the OS (madvise) every few seconds stalled inputs
# that run in milliseconds for over 10 s on a loaded 2-core machine: keep it.
# (Options already in the environment, e.g. from the CTest preset, come later and win.)
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:allocator_release_to_os_interval_ms=-1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

failed=()
for t in "${targets[@]}"; do
  corpus=$work/$t
  mkdir -p "$corpus" "$artifacts/$t"
  cp tests/fuzz/corpus/"$t"/* "$corpus"/
  args=(-max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/$t/")
  case $t in
    config) args+=(-max_len=8192 -dict="$PWD/tests/fuzz/fuzz_config.dict") ;;
    decode_number) args+=(-max_len=128) ;;
    json_structure) args+=(-max_len=65536 -dict="$PWD/tests/fuzz/fuzz_config.dict") ;;
    *) args+=(-max_len=4096) ;;
  esac
  log=$artifacts/$t/last-run.log
  echo "== fuzz $t: ${seconds}s ${extra[*]:-}"
  # Run inside the temporary directory: with -jobs, libFuzzer writes fuzz-N.log to the cwd.
  if (cd "$work" && "$bin_dir/s2sim-fuzz-$t" "${args[@]}" "${extra[@]}" "$corpus") >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^Done ' "$log" || true
  elif grep -q 'libFuzzer: run interrupted' "$log"; then
    echo "!! $t: interrupted by a signal before its time was up (log: $log)" >&2
    failed+=("$t")
  else
    echo "!! $t: finding (log: $log)" >&2
    grep -E 'ERROR|finding|runtime error|Test unit written' "$log" | head -20 >&2 || true
    failed+=("$t")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "run_fuzzers: findings (or interrupted runs) in: ${failed[*]}" >&2
  exit 1
fi
echo "run_fuzzers: no findings"
