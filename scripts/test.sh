#!/usr/bin/env bash
# Runs the whole test suite through CTest: installs what is missing, configures and
# builds the given preset (default: release; also debug, asan) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
scripts/setup-deps.sh --tests
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset"
