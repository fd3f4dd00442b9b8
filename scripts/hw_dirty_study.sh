#!/usr/bin/env bash
# The hardware dirty-tracking study (docs/hw-dirty-tracking.md): vCPU scaling, dirty
# rate and whole-migration sweeps of every --hw-dirty mode the binary accepts, printed
# as Markdown tables and drawn as SVG charts.
#
#   scripts/hw_dirty_study.sh [--s2sim PATH] [--out DIR] [--modes none,dbm,...]
#                             [--only scaling,rate,migration] [--quick] [--work DIR] [--jobs N]
#
# The full study takes about half an hour of host time on one core (152 vCPUs x 64 MiB
# is about a minute a run); --quick is the test's (seconds). Nothing is timed on the
# host: every number is simulated time or a count from the JSON s2sim writes.
set -euo pipefail
exec python3 "$(dirname "$0")/hw_dirty_study.py" "$@"
