#!/usr/bin/env bash
# The whole test suite: installs the system packages (when run as root), builds, and runs
# every test registered with ctest. Exit status is ctest's.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ]; then
  scripts/setup.sh
fi
scripts/build.sh
cd build
ctest --output-on-failure --timeout 900 -j"$(nproc)" "$@"
