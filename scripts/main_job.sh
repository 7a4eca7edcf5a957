#!/usr/bin/env bash
# The main job, from a fresh machine: installs the packages (when run as root), builds
# (x86-64 into build/, the ARM64 liv-measure into build-aarch64/), starts three device agents
# on this machine (scripts/local_agents.sh: two "laptop" agents and one "phone" agent that
# runs the ARM64 liv-measure under qemu-aarch64), runs a real search campaign over
# search-spaces/tiny.textproto with `star` (8 candidates x 3 generations, each measured on a
# laptop agent and on the phone agent, quality from a short libtorch training on MAD recall;
# about 15 minutes on 2 cores), prints the Pareto front, writes the campaign's report
# (out/tiny-report/report.html with its plots, front.csv, candidates.csv, report.json: `star
# report`) and stops the agents again (also on Ctrl-C or an error).
#
# The campaign store is out/tiny-campaign.db. When it already exists (an interrupted run),
# the campaign is resumed where it stopped (a finished one just prints its front again);
# --fresh (or FRESH=1) moves the old store aside to out/tiny-campaign.db.YYYYmmdd-HHMMSS and
# starts over. Ctrl-C stops the campaign resumably: run this script again to continue.
# KEEP_AGENTS=1 leaves the agents running at the end (stop them with
# scripts/local_agents.sh stop); SKIP_BUILD=1 skips the setup and both builds.
#
# Usage: scripts/main_job.sh [--fresh]
# The former main job, liv-measure on LFM2-350M, is scripts/measure_lfm2.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

fresh=${FRESH:-0}
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
      exit 0
      ;;
    *)
      echo "main_job.sh: unknown argument '$arg' (usage: scripts/main_job.sh [--fresh])" >&2
      exit 2
      ;;
  esac
done

space=search-spaces/tiny.textproto
db=out/tiny-campaign.db
star=./build/star/star

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    scripts/setup.sh
  fi
  scripts/build.sh
  scripts/build_aarch64.sh >/dev/null  # its build log goes to stderr; stdout is the binary's path
fi
if [ ! -x "$star" ]; then
  echo "main_job.sh: $star was not built" >&2
  exit 1
fi
"$star" check --space "$space"

mkdir -p out
if [ "$fresh" = 1 ] && [ -e "$db" ]; then
  aside="$db.$(date +%Y%m%d-%H%M%S)"
  # SQLite's write-ahead log and shared-memory files travel with the store.
  for suffix in "" -wal -shm; do
    if [ -e "$db$suffix" ]; then mv "$db$suffix" "$aside$suffix"; fi
  done
  echo "main_job.sh: moved the previous campaign store aside to $aside"
fi

resuming=0
stop_agents() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "${KEEP_AGENTS:-0}" = 1 ]; then
    echo "main_job.sh: the agents keep running (scripts/local_agents.sh status|stop)"
  else
    scripts/local_agents.sh stop || true
  fi
  if [ "$rc" -eq 130 ]; then
    echo "main_job.sh: interrupted; run scripts/main_job.sh again to resume the campaign in $db" >&2
  elif [ "$rc" -ne 0 ] && [ "$resuming" = 1 ]; then
    echo "main_job.sh: resuming $db failed (exit $rc); scripts/main_job.sh --fresh starts a new campaign" >&2
  fi
  exit "$rc"
}
trap stop_agents EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
scripts/local_agents.sh start

started=$SECONDS
# Progress goes to stderr; stdout, the front table, is dropped here: `star front` prints it.
if [ -e "$db" ]; then
  echo "main_job.sh: $db exists: resuming that campaign (scripts/main_job.sh --fresh starts a new one)"
  resuming=1
  "$star" resume --db "$db" >/dev/null
else
  "$star" run --space "$space" --db "$db" >/dev/null
fi
resuming=0
echo "main_job.sh: campaign done in $((SECONDS - started)) s"
"$star" front --db "$db"
echo
report_dir=out/tiny-report
"$star" report --db "$db" --out "$report_dir"
echo
echo "report: $report_dir/report.html (open it in a browser; it works offline),"
echo "        $report_dir/front.csv, candidates.csv, report.json"
echo "campaign store: $db"
echo "  $star status --db $db       progress, fleet and front"
echo "  $star report --db $db --format md   the front and the references as Markdown"
