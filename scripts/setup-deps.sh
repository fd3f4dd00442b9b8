#!/usr/bin/env bash
# Installs the Debian packages s2sim builds with, only those that are missing.
# Idempotent and quiet when everything is present. Needs root (or sudo) to install.
set -euo pipefail
# clang and its runtime libraries: the asan preset (sanitizers and libFuzzer); python3:
# the mutation harness (tests/mutation/) and bench/compare_walkers.py.
needed=(cmake ninja-build g++ clang libclang-rt-14-dev libboost-container-dev nlohmann-json3-dev libgtest-dev
        libbenchmark-dev python3)
missing=()
for pkg in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "s2sim: installing missing Debian packages: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
