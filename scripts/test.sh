#!/usr/bin/env bash
# The whole test suite, as a new user and CI run it: installs what is missing (npm packages,
# PostgreSQL, Kafka, Debezium, the Python readers), starts the services, runs unit and
# integration tests, and stops only the services it started itself.
#   scripts/test.sh            typecheck, lint, unit + integration
#   scripts/test.sh unit       unit tests only (no services)
#   scripts/test.sh integration
set -euo pipefail
cd "$(dirname "$0")/.."
layer=${1:-all}

bash scripts/ensure-node-modules.sh

# The whole suite also holds the code to its standards: strict types and the lint rules.
if [ "$layer" = all ]; then
  echo "[floe] typecheck (tsc --noEmit) and lint (eslint)" >&2
  npx tsc -p tsconfig.json --noEmit
  npx eslint .
fi

unit_files() { find src test/conformance -name '*.test.ts' 2>/dev/null | sort; }
integration_files() { find test/integration -name '*.test.ts' 2>/dev/null | sort; }

case "$layer" in
  unit) files=$(unit_files) ;;
  integration) files=$(integration_files) ;;
  all) files="$(unit_files) $(integration_files)" ;;
  *) echo "test.sh: unknown layer '$layer' (expected unit, integration or all)" >&2; exit 2 ;;
esac

started_here=""
# Several test runs may share this checkout's services: each holds a shared lock on fd 8 while
# it runs, and the run that started a service stops it only if it can then take the lock
# exclusively, i.e. no other run is still using it. fd 8 is closed for services.sh so that the
# servers it launches do not hold the lock forever.
stop_if_unused() {
  [ -n "$started_here" ] || return 0
  if flock -n -x 8; then
    # shellcheck disable=SC2086
    bash scripts/services.sh stop $started_here 8>&-
  else
    echo "[floe] leaving $started_here running: another test run is using them (scripts/services.sh stop)" >&2
  fi
}
if [ "$layer" != unit ]; then
  bash scripts/install.sh
  mkdir -p .floe/services
  exec 8>.floe/services/.users
  flock -s 8
  trap stop_if_unused EXIT
  started_here=$(bash scripts/services.sh start --report-started 8>&-)
  # shellcheck disable=SC1091
  source scripts/env.sh
fi

# shellcheck disable=SC2086
node --import tsx --test --test-concurrency=2 --test-timeout=600000 $files
