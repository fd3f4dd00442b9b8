#!/bin/sh
# CTest smoke check of s2sim-bench: runs a few benchmarks (one per family) with a tiny
# minimum time and checks that the binary exits 0 and that its JSON output names each
# of them. It times nothing and asserts no figure.
#
#   bench/smoke_test.sh PATH/TO/s2sim-bench
#
# Registered from CMake with:
#   add_test(NAME bench_smoke COMMAND ${CMAKE_SOURCE_DIR}/bench/smoke_test.sh $<TARGET_FILE:s2sim-bench>)
set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 PATH/TO/s2sim-bench" >&2
  exit 2
fi
bench=$1

expected='BM_WpMasked/naive/full/aligned/32/pages
BM_WpMasked/range/far2/crossing/64/pages
BM_WpMasked/v4-fixed/single/crossing/32/blocks
BM_DirtyLog/range/1GiB/1pct
BM_Baseline_GuestOpsBitmap
BM_Baseline_FlatWp1M
BM_EngineRun/tlb_friendly
BM_Baseline_OpStream/tlb_friendly'

# Anchored alternation of the expected names: exactly these run.
filter=$(printf '%s\n' "$expected" | sed 's/.*/^&$/' | paste -sd'|' -)

out=$(mktemp "${TMPDIR:-/tmp}/s2sim-bench-smoke.XXXXXX") || exit 1
log=$(mktemp "${TMPDIR:-/tmp}/s2sim-bench-smoke-log.XXXXXX") || exit 1
trap 'rm -f "$out" "$log"' EXIT INT TERM

"$bench" --benchmark_min_time=0.001 --benchmark_filter="$filter" \
  --benchmark_out="$out" --benchmark_out_format=json >"$log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
  cat "$log" >&2
  echo "FAIL: $bench exited with status $rc" >&2
  exit 1
fi

status=0
printf '%s\n' "$expected" | while IFS= read -r name; do
  if ! grep -q "\"name\": \"$name\"" "$out"; then
    echo "FAIL: no result named $name in the JSON output" >&2
    exit 1
  fi
done || status=1
if grep -q '"error_occurred": true' "$out"; then
  echo "FAIL: a benchmark reported an error:" >&2
  grep '"error_message"' "$out" >&2
  status=1
fi
[ $status -eq 0 ] && echo "bench smoke: $(printf '%s\n' "$expected" | wc -l) benchmarks ran"
exit $status
