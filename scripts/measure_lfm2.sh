#!/usr/bin/env bash
# Installs the packages (when run as root), builds, and measures LFM2-350M (f32,
# deterministic random weights) with liv-measure: prefill at 512 and 4096 tokens, decode at
# depth 0 and 4096, peak memory against the cost model (~5 minutes on 2 cores).
# The JSON report goes to out/lfm2-350m.json and a summary to the terminal.
# Usage: scripts/measure_lfm2.sh [extra liv-measure flags, e.g. -m LFM2-1.2B -r 5]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ]; then
  scripts/setup.sh
fi
scripts/build.sh
mkdir -p out
./build/liv/liv-measure -m LFM2-350M -p 512,4096 -d 0,4096 -n 32 --max-seconds 30 \
  -o out/lfm2-350m.json "$@"
echo "full report: out/lfm2-350m.json"
