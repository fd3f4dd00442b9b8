#!/usr/bin/env bash
# Quick start: installs what is missing, builds the release preset and runs s2sim.
# With no arguments it runs the default simulation (configs/default.json); any
# arguments are passed to s2sim (e.g. scripts/run.sh run configs/scenarios/x.json).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target s2sim >/dev/null
if [ $# -eq 0 ]; then set -- run; fi
exec build/release/s2sim "$@"
