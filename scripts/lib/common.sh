# Shared by scripts/install.sh, scripts/services.sh and scripts/env.sh (sourced, not run).
# Defines where things live; every path a script needs is derived here, in one place.
# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are used by the scripts that source this file

FLOE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The cache is outside the checkout so that a fresh clone elsewhere reuses it.
FLOE_CACHE=${FLOE_CACHE_DIR:-$HOME/.cache/floe}
FLOE_SERVICES_DIR=$FLOE_ROOT/.floe/services

# Pinned versions: changing one makes install.sh rebuild that part of the cache.
FLOE_KAFKA_VERSION=4.3.0          # what Debezium 3.6.1.Final is built against
FLOE_DEBEZIUM_VERSION=3.6.1.Final
FLOE_PYICEBERG_REQ='pyiceberg[sql-sqlite,pyarrow]==0.12.0'

FLOE_KAFKA_LIB=$FLOE_CACHE/kafka-$FLOE_KAFKA_VERSION/lib
FLOE_CONNECT_PLUGINS=$FLOE_CACHE/debezium-$FLOE_DEBEZIUM_VERSION/plugins
FLOE_VENV=$FLOE_CACHE/venv-pyiceberg

# Ports on 127.0.0.1. Overridable so that a second checkout can run its own set beside the
# first (services.sh and env.sh must then see the same values).
FLOE_PG_PORT=${FLOE_PG_PORT:-54329}
FLOE_KAFKA_PORT=${FLOE_KAFKA_PORT:-19092}
FLOE_KAFKA_CONTROLLER_PORT=${FLOE_KAFKA_CONTROLLER_PORT:-19093}
FLOE_CONNECT_PORT=${FLOE_CONNECT_PORT:-18083}

log() { printf '[floe] %s\n' "$*" >&2; }
die() { printf '[floe] error: %s\n' "$*" >&2; exit 1; }

# Newest PostgreSQL server bin dir from Debian's packages (/usr/lib/postgresql/<major>/bin).
pg_bindir() {
  local d
  d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; fi
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Who listens on 127.0.0.1:$1, for error messages ("pid 123 java" or "unknown").
port_owner() {
  local users
  users=$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(([^)]*' | head -n 1) || true
  if [ -n "$users" ]; then echo "listener: ${users#users:((}"; else echo "listener unknown"; fi
}

# Polls a command every 0.5 s until it succeeds or $1 seconds have passed.
wait_until() { # seconds description command...
  local limit=$1 what=$2 deadline=$((SECONDS + $1))
  shift 2
  until "$@"; do
    if [ $SECONDS -ge $deadline ]; then log "gave up waiting ${limit} s for $what"; return 1; fi
    sleep 0.5
  done
}
