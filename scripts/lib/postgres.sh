# The project's throwaway PostgreSQL cluster, for scripts/services.sh (sourced).
# postgres refuses to run as root, and tests and CI run as root: the cluster belongs to the
# Debian 'postgres' user and every server command goes through runuser.
# shellcheck shell=bash

# fd 9 is services.sh's lock: a server that inherited it would hold the lock forever.
as_postgres() { (cd / && runuser -u postgres -- "$@" 9>&-); }

# Data lives under .floe/services/postgres unless the 'postgres' user cannot reach the project
# folder (e.g. a checkout under a 0700 home); then under /var/tmp, one folder per checkout.
pg_base() {
  local base=$FLOE_SERVICES_DIR/postgres
  mkdir -p "$base"
  chown postgres:postgres "$base" 2>/dev/null || true
  if ! as_postgres test -w "$base" 2>/dev/null; then
    base=/var/tmp/floe-postgres-$(printf '%s' "$FLOE_ROOT" | sha256sum | cut -c1-12)
    mkdir -p "$base" && chown postgres:postgres "$base"
    echo "$base" >"$FLOE_SERVICES_DIR/postgres/FALLBACK-DATA-DIR"
    log "postgres: user 'postgres' cannot reach $FLOE_SERVICES_DIR, so the cluster lives in $base"
  fi
  echo "$base"
}

pg_bin() {
  local d
  d=$(pg_bindir)
  [ -n "$d" ] || die "postgres: no PostgreSQL server binaries under /usr/lib/postgresql: run scripts/install.sh postgres"
  echo "$d/$1"
}

pg_running() { local data=$1/data; [ -f "$data/postmaster.pid" ] && as_postgres "$(pg_bin pg_ctl)" -D "$data" status >/dev/null 2>&1; }

# Answers a query as the floe superuser over TCP: the server is really up and is one of ours.
pg_answers() {
  PGCONNECT_TIMEOUT=2 "$(pg_bin psql)" -X -q -h 127.0.0.1 -p "$FLOE_PG_PORT" -U floe -d postgres \
    -tAc 'select 1' >/dev/null 2>&1
}

pg_init() {
  local base=$1
  log "postgres: creating a cluster in $base/data"
  # The server appends to this log as 'postgres', so that user must own it.
  touch "$base/postgres.log" && chown postgres:postgres "$base/postgres.log"
  as_postgres "$(pg_bin initdb)" -D "$base/data" -U floe --auth=trust --no-locale -E UTF8 --no-sync \
    >>"$base/postgres.log" 2>&1 || { tail -n 20 "$base/postgres.log" >&2; die "postgres: initdb failed (log: $base/postgres.log)"; }
  # Logical decoding for CDC tests; small memory because the machine is shared; no Unix socket
  # so that clusters of several checkouts cannot collide on one. The port is given at start.
  cat >>"$base/data/postgresql.conf" <<CONF

# --- floe test cluster (scripts/lib/postgres.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
wal_level = logical
max_replication_slots = 20
max_wal_senders = 20
shared_buffers = 128MB
max_connections = 100
CONF
}

start_postgres() {
  local base
  base=$(pg_base)
  if pg_running "$base"; then log "postgres: already running (127.0.0.1:$FLOE_PG_PORT, data $base/data)"; return 1; fi
  if port_open "$FLOE_PG_PORT"; then
    pg_answers || die "postgres: port $FLOE_PG_PORT is taken by something that is not a floe PostgreSQL ($(port_owner "$FLOE_PG_PORT"))"
    log "postgres: 127.0.0.1:$FLOE_PG_PORT is served by another checkout's cluster; using it, not starting one"
    return 1
  fi
  [ -f "$base/data/PG_VERSION" ] || pg_init "$base"
  local t0=$SECONDS
  log "postgres: starting on 127.0.0.1:$FLOE_PG_PORT (log: $base/postgres.log)"
  local out
  if ! out=$(as_postgres "$(pg_bin pg_ctl)" -D "$base/data" -o "-p $FLOE_PG_PORT" -l "$base/postgres.log" -w -t 60 start 2>&1); then
    tail -n 30 "$base/postgres.log" >&2
    printf '%s\n' "$out" >&2
    die "postgres: pg_ctl start failed (output and log tail above; log: $base/postgres.log)"
  fi
  wait_until 30 "postgres answering on 127.0.0.1:$FLOE_PG_PORT" pg_answers \
    || { tail -n 30 "$base/postgres.log" >&2; die "postgres: started but does not answer as user floe on 127.0.0.1:$FLOE_PG_PORT (log: $base/postgres.log)"; }
  log "postgres: ready in $((SECONDS - t0)) s (postgres://floe@127.0.0.1:$FLOE_PG_PORT/postgres)"
}

stop_postgres() {
  local base
  base=$(pg_base)
  if ! pg_running "$base"; then log "postgres: not running"; return 0; fi
  log "postgres: stopping"
  as_postgres "$(pg_bin pg_ctl)" -D "$base/data" -m fast -w -t 60 stop >/dev/null \
    || die "postgres: did not stop within 60 s (log: $base/postgres.log)"
}

status_postgres() {
  local base
  base=$(pg_base)
  if pg_running "$base"; then
    echo "postgres  running  pid $(head -n 1 "$base/data/postmaster.pid")  127.0.0.1:$FLOE_PG_PORT  log $base/postgres.log"
  else
    echo "postgres  stopped  log $base/postgres.log"
    return 1
  fi
}
