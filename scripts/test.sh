#!/usr/bin/env bash
# The whole test suite, as a new user and CI run it: installs what is missing (npm packages,
# PostgreSQL, Kafka, Debezium, the Python readers), starts the services, runs unit and
# integration tests, and stops only the services it started itself.
#   scripts/test.sh            unit + integration
#   scripts/test.sh unit       unit tests only (no services)
#   scripts/test.sh integration
set -euo pipefail
cd "$(dirname "$0")/.."
layer=${1:-all}

bash scripts/ensure-node-modules.sh

unit_files() { find src test/conformance -name '*.test.ts' 2>/dev/null | sort; }
integration_files() { find test/integration -name '*.test.ts' 2>/dev/null | sort; }

case "$layer" in
  unit) files=$(unit_files) ;;
  integration) files=$(integration_files) ;;
  all) files="$(unit_files) $(integration_files)" ;;
  *) echo "test.sh: unknown layer '$layer' (expected unit, integration or all)" >&2; exit 2 ;;
esac

started_here=""
if [ "$layer" != unit ]; then
  bash scripts/install.sh
  started_here=$(bash scripts/services.sh start --report-started)
  trap 'if [ -n "$started_here" ]; then bash scripts/services.sh stop $started_here; fi' EXIT
  # shellcheck disable=SC1091
  source scripts/env.sh
fi

# shellcheck disable=SC2086
node --import tsx --test --test-concurrency=2 --test-timeout=600000 $files
