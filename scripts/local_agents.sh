#!/usr/bin/env bash
# Starts, stops and lists the three loopback device agents that search-spaces/tiny.textproto
# expects, so that a whole search campaign runs on this one machine:
#
#   laptop-1  127.0.0.1:50061  --runner local, build/liv/liv-measure (native x86-64)
#   laptop-2  127.0.0.1:50062  --runner local, build/liv/liv-measure (native x86-64)
#   phone-1   127.0.0.1:50063  --runner qemu,  build-aarch64/liv/liv-measure under qemu-aarch64
#
# Usage: scripts/local_agents.sh start|stop|status|restart
#   start    launch the agents that are not running yet, in the background and in their own
#            sessions (a Ctrl-C in this terminal does not reach them), and wait until each
#            printed its "listening ADDR" line. Idempotent: an agent already running is left
#            alone. Fails, with the tail of the agent's log, when one exits or does not
#            listen in time, and refuses to start one whose port another process holds; the
#            agents this call started are then stopped again.
#   stop     SIGTERM (an agent finishes its measurement in flight, at most AGENT_GRACE s),
#            then SIGKILL to whatever is left after STOP_GRACE s; removes the pid files.
#            Idempotent.
#   status   one line per agent; exit 0 when all three run, 1 otherwise.
# Logs (stdout and stderr) go to out/agents/NAME.log (the previous one is kept as
# NAME.log.old), pid files to out/agents/NAME.pid.
# Needs scripts/build.sh (device-agent, liv-measure) and scripts/build_aarch64.sh (the ARM64
# liv-measure) first, and qemu-aarch64 (scripts/setup.sh).
# Environment: AGENT_BIN, X86_MEASURE, ARM64_MEASURE (the binaries), QEMU_PREFIX (the phone's
# --runner-prefix, default the agent's own "qemu-aarch64"), AGENTS_DIR (default out/agents),
# START_TIMEOUT (s, default 30), AGENT_GRACE (s, default 5), STOP_GRACE (s, default 15).
set -euo pipefail
cd "$(dirname "$0")/.."

AGENT_BIN=${AGENT_BIN:-build/device-agent/device-agent}
X86_MEASURE=${X86_MEASURE:-build/liv/liv-measure}
ARM64_MEASURE=${ARM64_MEASURE:-build-aarch64/liv/liv-measure}
QEMU_PREFIX=${QEMU_PREFIX:-}
AGENTS_DIR=${AGENTS_DIR:-out/agents}
START_TIMEOUT=${START_TIMEOUT:-30}
AGENT_GRACE=${AGENT_GRACE:-5}
STOP_GRACE=${STOP_GRACE:-15}

# name, address, runner: the agents of search-spaces/tiny.textproto.
AGENTS=(
  "laptop-1 127.0.0.1:50061 local"
  "laptop-2 127.0.0.1:50062 local"
  "phone-1 127.0.0.1:50063 qemu"
)

me=local_agents.sh
die() {
  echo "$me: $*" >&2
  exit 1
}

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
}

pid_file() { echo "$AGENTS_DIR/$1.pid"; }
log_file() { echo "$AGENTS_DIR/$1.log"; }

# The pid of NAME's agent when it runs (a live device-agent serving ADDR), else nothing.
running_pid() {
  local name=$1 address=$2 file pid cmdline
  file=$(pid_file "$name")
  [ -f "$file" ] || return 0
  pid=$(cat "$file" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  [ -r "/proc/$pid/cmdline" ] || return 0
  # Guards against a recycled pid: the process must be our agent for this address.
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
  case "$cmdline" in
    *"--listen $address "*) echo "$pid" ;;
  esac
}

# True when something accepts TCP connections on ADDR (host:port).
port_open() {
  local host=${1%:*} port=${1##*:}
  (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

port_owner() {
  if command -v ss >/dev/null 2>&1; then
    ss -ltnpH "sport = :${1##*:}" 2>/dev/null | sed 's/^/    /' || true
  fi
}

log_tail() {
  local log
  log=$(log_file "$1")
  if [ -s "$log" ]; then
    echo "--- last lines of $log:"
    tail -n 20 "$log"
    echo "---"
  else
    echo "($log is empty)"
  fi
}

# Terminates the given "NAME PID" pairs: SIGTERM (an agent finishes the measurement in
# flight, at most AGENT_GRACE s), then, after STOP_GRACE s, SIGKILL to what is left (the
# agent's process group: it and its measuring child); removes their pid files.
terminate() {
  local -a names=() pids=()
  local pair waited p alive i
  for pair in "$@"; do
    names+=("${pair% *}")
    pids+=("${pair##* }")
    kill -TERM "${pair##* }" 2>/dev/null || true
  done
  [ "${#pids[@]}" -gt 0 ] || return 0
  waited=0
  while [ "$waited" -lt $((STOP_GRACE * 10)) ]; do
    alive=0
    for p in "${pids[@]}"; do
      if kill -0 "$p" 2>/dev/null; then alive=1; fi
    done
    [ "$alive" -eq 1 ] || break
    sleep 0.1
    waited=$((waited + 1))
  done
  for i in "${!pids[@]}"; do
    if kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "$me: ${names[$i]} (pid ${pids[$i]}) still running after ${STOP_GRACE} s: SIGKILL" >&2
      kill -KILL -- "-${pids[$i]}" 2>/dev/null || true
      kill -KILL "${pids[$i]}" 2>/dev/null || true
    else
      echo "$me: ${names[$i]} (pid ${pids[$i]}) stopped"
    fi
    rm -f "$(pid_file "${names[$i]}")"
  done
}

# Stops the agents that run; removes stale pid files.
stop_agents() {
  local entry name address runner pid
  local -a running=()
  for entry in "${AGENTS[@]}"; do
    read -r name address runner <<<"$entry"
    pid=$(running_pid "$name" "$address")
    if [ -n "$pid" ]; then
      running+=("$name $pid")
    elif [ -f "$(pid_file "$name")" ]; then
      echo "$me: $name: not running (stale pid file removed)"
      rm -f "$(pid_file "$name")"
    fi
  done
  terminate "${running[@]}"
}

cmd_start() {
  local missing=()
  [ -x "$AGENT_BIN" ] || missing+=("$AGENT_BIN (scripts/build.sh)")
  [ -x "$X86_MEASURE" ] || missing+=("$X86_MEASURE (scripts/build.sh)")
  [ -x "$ARM64_MEASURE" ] || missing+=("$ARM64_MEASURE (scripts/build_aarch64.sh)")
  if [ -z "$QEMU_PREFIX" ] && ! command -v qemu-aarch64 >/dev/null 2>&1; then
    missing+=("qemu-aarch64 (scripts/setup.sh installs qemu-user)")
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    die "missing: ${missing[*]}"
  fi
  mkdir -p "$AGENTS_DIR"

  local entry name address runner pid log
  local -a starting=() starting_pids=()
  # On a failure, the agents this call launched are stopped again, by the pids it knows.
  undo_start() {
    local j
    local -a launched=()
    for j in "${!starting[@]}"; do launched+=("${starting[$j]} ${starting_pids[$j]}"); done
    terminate "${launched[@]}" >&2
  }
  # Launch every agent that is not running yet, then wait for all of them together.
  for entry in "${AGENTS[@]}"; do
    read -r name address runner <<<"$entry"
    pid=$(running_pid "$name" "$address")
    if [ -n "$pid" ]; then
      echo "$me: $name already running (pid $pid, $address)"
      continue
    fi
    rm -f "$(pid_file "$name")"
    if port_open "$address"; then
      echo "$me: $name: port $address is taken by another process:" >&2
      port_owner "$address" >&2
      undo_start
      die "free the port (or stop that process) and run '$0 start' again"
    fi
    local -a args=(--listen "$address" --name "$name" --shutdown-grace "$AGENT_GRACE")
    if [ "$runner" = qemu ]; then
      args+=(--runner qemu --measure-binary "$ARM64_MEASURE")
      if [ -n "$QEMU_PREFIX" ]; then args+=(--runner-prefix "$QEMU_PREFIX"); fi
    else
      args+=(--runner local --measure-binary "$X86_MEASURE")
    fi
    log=$(log_file "$name")
    if [ -f "$log" ]; then mv -f "$log" "$log.old"; fi
    # setsid: the agent leads its own session and process group, so a Ctrl-C meant for the
    # campaign does not reach it (stop does), and SIGKILL can take its group.
    setsid "$AGENT_BIN" "${args[@]}" </dev/null >"$log" 2>&1 &
    pid=$!
    echo "$pid" >"$(pid_file "$name")"
    starting+=("$name")
    starting_pids+=("$pid")
  done

  local i deadline
  deadline=$((SECONDS + START_TIMEOUT))
  for i in "${!starting[@]}"; do
    name=${starting[$i]}
    pid=${starting_pids[$i]}
    log=$(log_file "$name")
    while ! grep -q '^listening ' "$log" 2>/dev/null; do
      if ! kill -0 "$pid" 2>/dev/null; then
        echo "$me: $name (pid $pid) exited before listening" >&2
        log_tail "$name" >&2
        undo_start
        die "could not start $name"
      fi
      if [ "$SECONDS" -ge "$deadline" ]; then
        echo "$me: $name (pid $pid) did not print \"listening ADDR\" within ${START_TIMEOUT} s" >&2
        log_tail "$name" >&2
        undo_start
        die "could not start $name"
      fi
      sleep 0.1
    done
    echo "$me: $name $(grep -m1 '^listening ' "$log") (pid $pid, log $log)"
  done
}

cmd_status() {
  local entry name address runner pid all=0 state
  for entry in "${AGENTS[@]}"; do
    read -r name address runner <<<"$entry"
    pid=$(running_pid "$name" "$address")
    if [ -n "$pid" ]; then
      if port_open "$address"; then
        state="running (pid $pid), listening"
      else
        state="running (pid $pid), NOT accepting connections"
        all=1
      fi
    elif [ -f "$(pid_file "$name")" ]; then
      state="not running (stale pid file)"
      all=1
    elif port_open "$address"; then
      state="not running; port taken by another process"
      all=1
    else
      state="not running"
      all=1
    fi
    printf '%-9s %-16s %-6s %s\n' "$name" "$address" "$runner" "$state"
  done
  return "$all"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) stop_agents ;;
  status) cmd_status ;;
  restart)
    stop_agents
    cmd_start
    ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
