#!/usr/bin/env bash
# The report's size and speed benchmark: writes a synthetic campaign store of N candidates
# (default 1000; star-synthetic-store: two device classes, two references, 5 generations),
# builds its report with `star report`, then opens report.html in headless Chromium
# (tests/report/render_report.mjs) RUNS times (default 3) and prints one JSON line per run
# and a summary: HTML bytes against the 5 MB budget and render time (report.js start to
# every plot drawn) against the 3 s budget, as ratios. Needs a build (scripts/build.sh).
#
# Usage: scripts/bench_report.sh [CANDIDATES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
candidates=${1:-1000}
runs=${2:-3}
out=out/bench-report
mkdir -p "$out"
./build/star/star-synthetic-store --out "$out/synthetic.db" --candidates "$candidates" --force >&2
start=$(date +%s.%N)
./build/star/star report --db "$out/synthetic.db" --out "$out/report" >&2
build_s=$(echo "$(date +%s.%N) - $start" | bc)
html_bytes=$(stat -c %s "$out/report/report.html")
best=""
for i in $(seq 1 "$runs"); do
  line=$(node tests/report/render_report.mjs "$out/report/report.html" --json)
  echo "$line"
  ms=$(node -e 'const r = JSON.parse(process.argv[1]); if (r.status !== "rendered" || r.errors.length) process.exit(1); console.log(r.render_ms)' "$line")
  if [ -z "$best" ] || [ "$(echo "$ms < $best" | bc)" = 1 ]; then best=$ms; fi
done
printf 'report of %s candidates: star report %.2f s; report.html %s bytes (%.2f of the 5 MB budget); best render %.0f ms of %s runs (%.2f of the 3 s budget)\n' \
  "$candidates" "$build_s" "$html_bytes" "$(echo "$html_bytes / 5000000" | bc -l)" \
  "$best" "$runs" "$(echo "$best / 3000" | bc -l)"
