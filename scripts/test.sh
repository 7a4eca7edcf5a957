#!/usr/bin/env bash
# The whole test suite: installs the system packages (when run as root), cross-builds the
# aarch64 liv-measure and liv-run (scripts/build_aarch64.sh, for the tests that run them
# under qemu-aarch64), builds, and runs every test registered with ctest. Exit status is
# ctest's.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ]; then
  scripts/setup.sh
fi
# The last line build_aarch64.sh prints is the binary's absolute path (its build log goes
# to stderr).
aarch64_liv_measure=$(scripts/build_aarch64.sh | tail -n 1)
scripts/build.sh -DNAS_AARCH64_LIV_MEASURE="$aarch64_liv_measure"
cd build
ctest --output-on-failure --timeout 900 -j"$(nproc)" "$@"
