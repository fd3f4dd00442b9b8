#!/usr/bin/env bash
# Installs the Debian packages s2sim builds with, only those that are missing;
# `--tests` also those the test suite runs (scripts/test.sh passes it).
# Idempotent and quiet when everything is present. Needs root (or sudo) to install.
set -euo pipefail
# clang and its runtime libraries: the asan preset (sanitizers and libFuzzer);
# zlib and zstd: compressed traces; python3: the mutation harness (tests/mutation/)
# and bench/compare_walkers.py; expat: the lab tests parse every figure (SVG).
needed=(cmake ninja-build g++ clang libclang-rt-14-dev libboost-container-dev nlohmann-json3-dev libgtest-dev
        libbenchmark-dev zlib1g-dev libzstd-dev python3 libexpat1-dev)
# The test suite: a real single-node Slurm for the sweep test (tests/slurm/) and
# Chromium for the HTML report's browser test (tests/browser/).
test_needed=(slurm-wlm munge chromium)
if [ "${1:-}" = "--tests" ]; then
  needed+=("${test_needed[@]}")
elif [ $# -gt 0 ]; then
  echo "usage: scripts/setup-deps.sh [--tests]" >&2
  exit 2
fi
missing=()
for pkg in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "s2sim: installing missing Debian packages: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# Package scripts talk on stderr (slurm-wlm's and munge's service setup): their words
# are shown only when the installation fails.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
