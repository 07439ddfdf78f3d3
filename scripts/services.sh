#!/usr/bin/env bash
# Starts, stops and reports the throwaway services that integration tests and benchmarks use,
# on loopback, with data and logs under .floe/services/<name>/ (git-ignored):
#   postgres  PostgreSQL, 127.0.0.1:54329, superuser floe, trust auth, wal_level=logical
#   kafka     Kafka broker + KRaft controller, 127.0.0.1:19092 (controller 19093)
#   connect   Kafka Connect (standalone) with Debezium PostgreSQL, REST on 127.0.0.1:18083
#
#   scripts/services.sh start [--report-started] [service...]   default: all
#   scripts/services.sh stop [service...]
#   scripts/services.sh status [service...]
# start waits until each service answers; --report-started prints on stdout only the names it
# started (test.sh stops just those). A running service is left alone; stop ends only
# processes these scripts started. Human-readable output goes to stderr.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "$0")/lib/common.sh"
# shellcheck source=scripts/lib/postgres.sh
source "$(dirname "$0")/lib/postgres.sh"
# shellcheck source=scripts/lib/java-service.sh
source "$(dirname "$0")/lib/java-service.sh"

usage() { die "usage: scripts/services.sh start [--report-started] | stop | status [postgres|kafka|connect ...]"; }

cmd=${1:-}
[ $# -gt 0 ] && shift
report=false
wanted=()
for arg in "$@"; do
  case "$arg" in
    --report-started) report=true ;;
    postgres | kafka | connect) wanted+=("$arg") ;;
    *) usage ;;
  esac
done
[ ${#wanted[@]} -gt 0 ] || wanted=(postgres kafka connect)
want() { [[ " ${wanted[*]} " == *" $1 "* ]]; }

# Fixed order: start dependencies first (Connect needs Kafka), stop in reverse.
ordered() { local s; for s in "$@"; do want "$s" && printf '%s\n' "$s"; done; return 0; }

started=()
start_all() {
  # Connect cannot work without its broker.
  if want connect && ! want kafka; then wanted+=(kafka); fi
  # On failure, stop what this call started so that nothing is left behind unreported.
  trap 'rollback' EXIT
  local s
  for s in $(ordered postgres kafka connect); do
    if "start_$s"; then started+=("$s"); fi
  done
  trap - EXIT
  if $report; then echo "${started[*]}"; fi
}
rollback() {
  local rc=$? i
  if [ $rc -ne 0 ] && [ ${#started[@]} -gt 0 ]; then
    log "start failed: stopping what this call started (${started[*]})"
    for ((i = ${#started[@]} - 1; i >= 0; i--)); do "stop_${started[i]}" || true; done
  fi
  exit $rc
}

stop_all() { local s; for s in $(ordered connect kafka postgres); do "stop_$s"; done; }

status_all() {
  local s rc=0
  for s in $(ordered postgres kafka connect); do "status_$s" || rc=3; done
  return $rc
}

mkdir -p "$FLOE_SERVICES_DIR"
case "$cmd" in
  start | stop)
    # Engineers and test runs share one checkout: one start or stop at a time.
    exec 9>"$FLOE_SERVICES_DIR/.lock"
    flock -w 600 9 || die "another scripts/services.sh has held $FLOE_SERVICES_DIR/.lock for 10 minutes"
    "${cmd}_all"
    ;;
  status) status_all ;;
  *) usage ;;
esac
