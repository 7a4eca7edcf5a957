#!/usr/bin/env bash
# Installs the report's front-end libraries (Vega, Vega-Lite, vega-embed) and the browser
# test's driver (playwright-core, which drives Debian's chromium) from the npm registry
# into results/web/node_modules, exactly as results/web/package-lock.json pins them
# (`npm ci`). Idempotent: does nothing when node_modules already matches the lock file.
# The build inlines the libraries into every report (results/report_html.h), so a report
# opens offline. Needs npm (scripts/setup.sh installs it where it is missing).
set -euo pipefail
cd "$(dirname "$0")/../results/web"
# A copy of the lock file that node_modules was installed from.
stamp=node_modules/.installed-package-lock.json
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "web_deps.sh: npm not found; run scripts/setup.sh as root first" >&2
  exit 1
fi
echo "web_deps.sh: npm ci in results/web" >&2
npm ci --no-audit --no-fund >&2
cp package-lock.json "$stamp"
