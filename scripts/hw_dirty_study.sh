#!/usr/bin/env bash
# The hardware dirty-tracking study (docs/hw-dirty-tracking.md): vCPU scaling, dirty
# rate and whole-migration sweeps of every --hw-dirty mode the binary accepts, printed
# as Markdown tables and drawn as SVG charts.
#
#   scripts/hw_dirty_study.sh [--s2sim PATH] [--out DIR] [--modes none,dbm,...]
#                             [--only scaling,rate,migration] [--quick] [--work DIR] [--jobs N]
#
# The full study took about 20 minutes of host time with --jobs 2 on a 2-core machine
# shared with other builds (152 vCPUs x 64 MiB is about a minute a run); --quick is the
# test's (seconds). --work DIR keeps each run's JSON and reuses it, so tables and charts
# can be redrawn without running again. Nothing is timed on the host: every number is
# simulated time or a count from the JSON s2sim writes.
set -euo pipefail
exec python3 "$(dirname "$0")/hw_dirty_study.py" "$@"
