#!/usr/bin/env bash
# The mutation harness (tests/mutation/run.py): every named mutant of mutants.py and
# engine_mutants.py applied one at a time to a copy of the tree, built incrementally
# and run against the tests that must kill it. `--slice today` runs the day's seventh
# (CI), `--only NAME` one mutant, `--list` lists them; exit 1 if any survives.
set -euo pipefail
exec python3 "$(dirname "$0")/run.py" "$@"
