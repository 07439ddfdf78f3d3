#!/usr/bin/env bash
# The README's main command (`npm start`): floe's whole job on embedded defaults, on a fresh
# machine, with no configuration. It starts the project's PostgreSQL (installing it first if
# needed), creates a small sample database, bulk-loads it into a local Iceberg warehouse (SQLite
# catalog, local files) in the snapshot of a new logical replication slot, streams a burst of
# live changes through logical replication, verifies every table against the source, shows the
# status and how to read the tables with another engine, then stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh

bash scripts/ensure-node-modules.sh
bash scripts/install.sh postgres
started=$(bash scripts/services.sh start --report-started postgres)
demo_dir="$PWD/.floe/demo"
cleanup() {
  # The slot would pin WAL once floe is gone: drop it, then stop what this script started.
  [ -f "$demo_dir/floe.yaml" ] && node bin/floe.js --config "$demo_dir/floe.yaml" slot drop --force >/dev/null 2>&1 || true
  if [ -n "$started" ]; then bash scripts/services.sh stop $started >/dev/null; fi
}
trap cleanup EXIT
# shellcheck source=scripts/env.sh
source scripts/env.sh

rm -rf "$demo_dir" && mkdir -p "$demo_dir"
demo_db_url="${FLOE_PG_URL%/*}/floe_demo"
cat >"$demo_dir/floe.yaml" <<YAML
# Written by scripts/demo.sh: the sample shop, loaded and streamed into a local warehouse.
dataDir: ./data
sources:
  shop:
    type: postgres
    url: $demo_db_url
tables:
  - source: public.customers
    target: shop.customers
  - source: public.orders
    target: shop.orders
    partitionBy: ["month(placed_at)"]
  - source: public.order_lines
    target: shop.order_lines
sync:
  commitIntervalMs: 1000
  source:
    type: postgres
    slot: floe_demo
YAML

floe() { node bin/floe.js --config "$demo_dir/floe.yaml" --log-level warn "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1/5 sample database"
node --import tsx scripts/demo/sample-db.ts floe_demo 20000

step "2/5 bulk load into Iceberg (one consistent snapshot, the slot's)"
floe load

step "3/5 a burst of live changes, streamed by logical replication"
node --import tsx scripts/demo/burst.ts floe_demo 500
floe sync --once

step "4/5 verify every table against PostgreSQL"
for t in shop.customers shop.orders shop.order_lines; do floe verify "$t"; done

step "5/5 status"
floe status

cat <<TXT

Done. The warehouse is $demo_dir/data/warehouse, the catalog $demo_dir/data/catalog.db (an
Iceberg SQL catalog: pyiceberg's SqlCatalog and Java's JdbcCatalog open it as they are). To read
a table with pyiceberg:

  python3 -c "from pyiceberg.catalog.sql import SqlCatalog
c = SqlCatalog('floe', uri='sqlite:///$demo_dir/data/catalog.db', warehouse='file://$demo_dir/data/warehouse')
print(c.load_table('shop.orders').scan().to_arrow().to_pandas().head())"

(the project's own pyiceberg is at ${FLOE_PYTHON} once \`npm test\` has installed it)
TXT
