# Exports where the services of scripts/services.sh answer and which Python reads Iceberg.
# Sourced by scripts/test.sh; source it yourself to run one integration test by hand:
#   source scripts/env.sh && node --import tsx --test test/integration/services-smoke.test.ts
# shellcheck shell=bash
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
export FLOE_PG_URL="postgres://floe@127.0.0.1:$FLOE_PG_PORT/postgres"
export FLOE_KAFKA_BROKERS="127.0.0.1:$FLOE_KAFKA_PORT"
export FLOE_CONNECT_URL="http://127.0.0.1:$FLOE_CONNECT_PORT"
export FLOE_PYTHON="$FLOE_VENV/bin/python"
