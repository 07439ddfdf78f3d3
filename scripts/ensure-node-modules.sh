#!/usr/bin/env bash
# Installs npm packages when node_modules is missing or older than the lockfile. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.floe-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "[floe] installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
  touch "$stamp"
fi
