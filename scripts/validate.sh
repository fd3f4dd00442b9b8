#!/usr/bin/env bash
# Runs the published dirty_log_perf_test configurations of docs/validation.md with
# `s2sim perf-test` and prints Markdown tables: published against predicted, as ratios.
#
#   scripts/validate.sh [--s2sim PATH] [--max-vcpus N] [--fit] [-- EXTRA perf-test ARGS]
#
#   --s2sim PATH    the binary (default build/release/s2sim)
#   --max-vcpus N   stop the vCPU series at N (default: every published point the
#                   build accepts; perf-test refuses counts above the engine's limit)
#   --fit           fit the one free parameter, machine.costs.stage2_abort_host (the
#                   fault's unlocked path: trap, exit, host fault handling outside
#                   mmu_lock), on Jing Zhang's 1-vCPU point, then predict the rest
#   EXTRA           passed to every perf-test run (--machine, --set ...)
#
# Nothing here is timed on the host: every number is simulated time from --json.
set -euo pipefail

S2SIM=build/release/s2sim
MAX_VCPUS=512
FIT=0
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --s2sim) S2SIM=$2; shift 2 ;;
    --max-vcpus) MAX_VCPUS=$2; shift 2 ;;
    --fit) FIT=1; shift ;;
    --) shift; EXTRA=("$@"); break ;;
    *) echo "error: validate.sh: unknown argument \"$1\"" >&2; exit 2 ;;
  esac
done
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# field FILE EXPR: a value of the s2sim.perf/1 JSON, by a Python expression on j.
field() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

# perf NAME ARGS...: one perf-test run, its JSON at $OUT/NAME.json.
perf() {
  local name=$1; shift
  "$S2SIM" perf-test -q "$@" "${EXTRA[@]}" --json "$OUT/$name.json" >/dev/null
}

# --- Jing Zhang, 2022 (spinlock mmu_lock baseline, Ampere Altra 3 GHz) [checked] ---
# ./dirty_log_perf_test -b 2G -m 2 -i 2 -s anonymous_hugetlb_2mb -v N; dirty memory time in ms.
JZ_FLAGS=(-g -b 2G -i 2 -s anonymous_hugetlb_2mb)
JZ_N=(1 2 4 8 16 32 64)
JZ_MS=(926 1189 2503 5069 10340 20351 40994)

FIT_SET=()
if [ "$FIT" = 1 ]; then
  # Dirty memory time at 1 vCPU is linear in the unlocked fault cost (no contention):
  # two runs give the line, and the fitted cost puts iteration 2 on 926 ms.
  perf fit0 "${JZ_FLAGS[@]}" -v 1
  base=$(field "$OUT/fit0.json" "j['config']['machine']['costs']['stage2_abort_host']['cycles']")
  perf fit1 "${JZ_FLAGS[@]}" -v 1 --set "machine.costs.stage2_abort_host=$((base + 1000))"
  t0=$(field "$OUT/fit0.json" "j['iterations'][1]['dirty_memory_s']")
  t1=$(field "$OUT/fit1.json" "j['iterations'][1]['dirty_memory_s']")
  fitted=$(python3 -c "import sys; b,t0,t1=float(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3]); print(max(0, round(b + (0.926 - t0) * 1000 / (t1 - t0))))" "$base" "$t0" "$t1")
  FIT_SET=(--set "machine.costs.stage2_abort_host=$fitted")
  echo "Fitted on Jing Zhang's 1-vCPU point: stage2_abort_host = $fitted cycles (machine value $base)."
  echo
fi

echo "### Jing Zhang 2022, spinlock baseline: dirty memory time against vCPUs"
echo
echo "| vCPUs | published ms | published T(N)/T(1) | s2sim iter 1 s | s2sim iter 2 s | s2sim T(N)/T(1) (iter 2) | predicted / published ratio |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
t_one=""
for i in "${!JZ_N[@]}"; do
  n=${JZ_N[$i]}
  [ "$n" -le "$MAX_VCPUS" ] || break
  if ! perf "jz$n" "${JZ_FLAGS[@]}" -v "$n" "${FIT_SET[@]}" 2>"$OUT/err"; then
    echo "| $n | ${JZ_MS[$i]} | | not run: $(head -c 200 "$OUT/err") | | | |"
    continue
  fi
  it1=$(field "$OUT/jz$n.json" "j['iterations'][0]['dirty_memory_s']")
  it2=$(field "$OUT/jz$n.json" "j['iterations'][1]['dirty_memory_s']")
  [ -n "$t_one" ] || t_one=$it2
  python3 - "$n" "${JZ_MS[$i]}" "${JZ_MS[0]}" "$it1" "$it2" "$t_one" <<'PY'
import sys
n, pub, pub1, it1, it2, one = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
pr, sr = pub / pub1, it2 / one
print(f"| {n} | {pub:,.0f} | {pr:.2f} | {it1:.3f} | {it2:.3f} | {sr:.2f} | {sr / pr:.2f} |")
PY
done
echo
echo "Published: Jing Zhang, kvm list, January 2022 (msg264015); the ratio column is"
echo "(s2sim T(N)/T(1)) / (published T(N)/T(1)): 1.00 is a perfect prediction of the growth."
