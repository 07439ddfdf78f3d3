#!/usr/bin/env bash
# Installs what the integration tests need, idempotently: PostgreSQL (Debian packages), a Kafka
# broker and Kafka Connect with the Debezium PostgreSQL connector (jars from Maven Central), and
# a Python virtualenv with pyiceberg (an independent reader of the tables floe writes).
# Everything but PostgreSQL goes to the cache ${FLOE_CACHE_DIR:-$HOME/.cache/floe}, so a fresh
# clone reuses it; each part carries a stamp of its inputs and is skipped when the stamp matches.
#   scripts/install.sh            all parts
#   scripts/install.sh postgres kafka connect python   some parts
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "$0")/lib/common.sh"

parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(postgres kafka connect python)

apt_updated=false
apt_install() {
  [ "$(id -u)" -eq 0 ] || die "need root to 'apt-get install $*' (or install them yourself)"
  command -v apt-get >/dev/null || die "missing $* and no apt-get to install them with"
  # An image may ship with empty package lists; update once, and again if the install fails
  # because the lists are stale.
  if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
    log "apt-get update (no package lists yet)"
    apt-get update -qq >&2 && apt_updated=true
  fi
  log "apt-get install -y $*"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2; then
    $apt_updated && die "apt-get install $* failed"
    log "apt-get update (install failed, lists may be stale)"
    apt-get update -qq >&2 && apt_updated=true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2 || die "apt-get install $* failed"
  fi
}

# A stamp holds a hash of everything that shaped a cached part; equal hash = nothing to do.
stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

install_postgres() {
  if [ -z "$(pg_bindir)" ]; then
    apt_install postgresql postgresql-contrib
    [ -n "$(pg_bindir)" ] || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb found"
  fi
  id postgres >/dev/null 2>&1 || die "no 'postgres' user (Debian's postgresql package creates it)"
  command -v runuser >/dev/null || die "missing runuser (util-linux), needed to run postgres as its own user"
  log "postgres: $("$(pg_bindir)/postgres" --version) in $(pg_bindir)"
}

ensure_java_maven() {
  local missing=()
  command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null || missing+=(maven)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
  local major
  major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  [ "${major:-0}" -ge 17 ] 2>/dev/null || die "Kafka 4 needs Java 17 or newer; 'java' is version ${major:-unknown}"
}

# Resolves the dependencies of a pom into a directory via a staging dir, so an interrupted
# run never leaves a half-filled directory behind a valid stamp.
maven_copy() { # pom outdir extra-args...
  local pom=$1 out=$2; shift 2
  local tmp="$out.tmp.$$"
  rm -rf "$tmp"
  # The Maven repository lives in the cache too: moving the cache aside gives a truly cold run.
  # Maven's output is kept for failures only (quiet mode still prints colour codes).
  if ! mvn -B -Dstyle.color=never -Dmaven.repo.local="$FLOE_CACHE/m2" -f "$pom" dependency:copy-dependencies \
      -DoutputDirectory="$tmp" -DincludeScope=runtime "$@" >"$tmp.log" 2>&1; then
    grep -E 'ERROR|Could not' "$tmp.log" | tail -n 20 >&2
    rm -rf "$tmp" "$tmp.log"
    die "Maven could not resolve the dependencies of $pom (is Maven Central reachable?)"
  fi
  rm -f "$tmp.log"
  rm -rf "$out"
  mv "$tmp" "$out"
}

install_kafka() {
  local pom="$FLOE_ROOT/scripts/kafka/pom.xml" stamp="$FLOE_KAFKA_LIB/../.stamp" want
  want="$(sha256sum "$pom" | cut -c1-16)"
  if stamp_ok "$stamp" "$want"; then log "kafka: $FLOE_KAFKA_VERSION cached in $FLOE_KAFKA_LIB"; return; fi
  ensure_java_maven
  log "kafka: resolving Kafka $FLOE_KAFKA_VERSION broker + Connect jars with Maven into $FLOE_KAFKA_LIB"
  mkdir -p "$(dirname "$FLOE_KAFKA_LIB")"
  maven_copy "$pom" "$FLOE_KAFKA_LIB"
  [ -f "$FLOE_KAFKA_LIB/kafka_2.13-$FLOE_KAFKA_VERSION.jar" ] || die "kafka_2.13-$FLOE_KAFKA_VERSION.jar missing after Maven resolved $pom"
  echo "$want" >"$stamp"
}

install_connect() {
  local pom="$FLOE_ROOT/scripts/kafka/debezium-pom.xml" stamp="$FLOE_CONNECT_PLUGINS/../.stamp" want
  want="$(sha256sum "$pom" | cut -c1-16)"
  if stamp_ok "$stamp" "$want"; then log "connect: Debezium $FLOE_DEBEZIUM_VERSION plugin cached in $FLOE_CONNECT_PLUGINS"; return; fi
  ensure_java_maven
  log "connect: resolving the Debezium PostgreSQL connector $FLOE_DEBEZIUM_VERSION with Maven into $FLOE_CONNECT_PLUGINS"
  mkdir -p "$FLOE_CONNECT_PLUGINS"
  # Kafka's own jars come from the worker; a second copy in the plugin would shadow them.
  maven_copy "$pom" "$FLOE_CONNECT_PLUGINS/debezium-connector-postgres" -DexcludeGroupIds=org.apache.kafka,org.slf4j
  [ -f "$FLOE_CONNECT_PLUGINS/debezium-connector-postgres/debezium-connector-postgres-$FLOE_DEBEZIUM_VERSION.jar" ] \
    || die "debezium-connector-postgres-$FLOE_DEBEZIUM_VERSION.jar missing after Maven resolved $pom"
  echo "$want" >"$stamp"
}

find_python() {
  local p
  for p in python3.11 python3.12 python3.13 python3.10 python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import sys, venv; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
      command -v "$p"; return
    fi
  done
}

venv_id() { "$FLOE_VENV/bin/python" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null && echo "$FLOE_PYICEBERG_REQ"; }

install_python() {
  local stamp="$FLOE_VENV/.floe-stamp" py
  # Checked with the venv's own interpreter: pyenv shims take a second per call.
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(venv_id)" ]; then log "python: $FLOE_PYICEBERG_REQ cached in $FLOE_VENV"; return; fi
  py=$(find_python)
  [ -n "$py" ] || die "missing Python >= 3.10 with the venv module (looked for python3.11, python3.12, python3.13, python3.10, python3)"
  log "python: creating $FLOE_VENV with $py and installing $FLOE_PYICEBERG_REQ"
  rm -rf "$FLOE_VENV"
  "$py" -m venv "$FLOE_VENV" || die "could not create a virtualenv with $py"
  if ! "$FLOE_VENV/bin/pip" install -q --disable-pip-version-check "$FLOE_PYICEBERG_REQ" >&2; then
    rm -rf "$FLOE_VENV"
    die "pip could not install $FLOE_PYICEBERG_REQ (is PyPI reachable?)"
  fi
  "$FLOE_VENV/bin/python" -c 'import pyiceberg, pyarrow, sqlalchemy' || die "pyiceberg installed but does not import"
  venv_id >"$stamp"
}

mkdir -p "$FLOE_CACHE"
# Two checkouts installing at once would race on the same cache directories.
exec 9>"$FLOE_CACHE/.install.lock"
flock 9
for part in "${parts[@]}"; do
  case "$part" in
    postgres | kafka | connect | python)
      t0=$SECONDS
      "install_$part"
      [ $((SECONDS - t0)) -lt 2 ] || log "$part: done in $((SECONDS - t0)) s"
      ;;
    *) die "install.sh: unknown part '$part' (expected postgres, kafka, connect or python)" ;;
  esac
done
