#!/usr/bin/env bash
# Quick start: installs what is missing, builds the release preset and runs s2sim.
# With no arguments it decodes a sample stage-2 descriptor; any arguments are passed
# to s2sim (e.g. scripts/run.sh decode 0x8012377F --json).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target s2sim >/dev/null
if [ $# -eq 0 ]; then set -- decode 0x801237FF --level 3; fi
exec build/release/s2sim "$@"
