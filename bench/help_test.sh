#!/bin/sh
# CTest check of `s2sim-bench --help`: it exits 0, names each benchmark family that is
# registered (the part of a name before its first "/") and no other, and still
# prints Google Benchmark's own options.
#
#   bench/help_test.sh PATH/TO/s2sim-bench
set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 PATH/TO/s2sim-bench" >&2
  exit 2
fi
bench=$1

help=$("$bench" --help) || { echo "FAIL: $bench --help exited with status $?" >&2; exit 1; }
listed=$("$bench" --benchmark_list_tests) || { echo "FAIL: --benchmark_list_tests failed" >&2; exit 1; }

registered=$(printf '%s\n' "$listed" | sed 's|/.*||' | sort -u)
named=$(printf '%s\n' "$help" | sed -n 's/^  \(BM_[A-Za-z0-9_]*\) .*/\1/p' | sort -u)

status=0
if [ "$registered" != "$named" ]; then
  echo "FAIL: the families --help names differ from those registered" >&2
  echo "registered:" >&2; printf '%s\n' "$registered" >&2
  echo "named in --help:" >&2; printf '%s\n' "$named" >&2
  status=1
fi
if ! printf '%s\n' "$help" | grep -q -- '--benchmark_filter'; then
  echo "FAIL: Google Benchmark's own options are missing from --help" >&2
  status=1
fi
[ $status -eq 0 ] && echo "bench help: $(printf '%s\n' "$registered" | wc -l) families named"
exit $status
