/**
 * bench:pgcdc — `floe sync` from PostgreSQL logical replication against the replication
 * client's own limit, in the same run. Creates a mixed-type table in FLOE_PG_URL, loads it
 * (gapless: slot with exported snapshot), creates a second "read-only" slot, then writes a
 * backlog of N changes (inserts and updates, 100 rows per transaction). Then:
 *   read   pg-logical-replication + floe's pgoutput parser drain the second slot, no apply (the limit)
 *   apply  the sync runner with the apply path drains the first slot into Iceberg (source in its own thread, as
 *          floe sync runs it; FLOE_BENCH_INPROCESS=1 keeps it on the main thread)
 *   fresh  a live phase (~200 changes/s for 8 s): per change, source commit → Iceberg commit
 * Last line:
 *   bench:pgcdc ratio=<apply/read> apply_changes_per_s=<n> read_changes_per_s=<n> p99_freshness_ms=<n>
 *
 *   npm run bench:pgcdc [-- changes=300000]      env: FLOE_PG_URL (source scripts/env.sh)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogicalReplicationService } from 'pg-logical-replication';
import pg from 'pg';
import { openCatalog } from '../src/catalog/open-catalog.ts';
import { buildConfig } from '../src/config/load-config.ts';
import { EventBus } from '../src/core/events.ts';
import { tuneYoungGeneration } from '../src/core/heap-tuning.ts';
import { silentLogger } from '../src/core/logger.ts';
import { openPgLogicalSource, withSlotSnapshot } from '../src/cdc/postgres/open-pg-logical-source.ts';
import { sourceRecipe } from '../src/pipeline/sync/source-recipe.ts';
import { ThreadedChangeSource } from '../src/pipeline/sync/threaded-source.ts';
import { pgLogicalSettings } from '../src/cdc/postgres/pg-logical-settings.ts';
import { REPLICATION_SESSION_OPTIONS } from '../src/cdc/postgres/pg-text-codecs.ts';
import { parsePgoutput } from '../src/cdc/postgres/pgoutput-parser.ts';
import { runLoad } from '../src/pipeline/load/run-load.ts';
import type { ChangeSource } from '../src/pipeline/sync/change-source.ts';
import { runSync, type TableSink } from '../src/pipeline/sync/sync-runner.ts';
import { openSyncTables } from '../src/pipeline/sync/sync-tables.ts';

tuneYoungGeneration(); // as floe sync does
const N = Number(process.argv[2] ?? 300_000);
const url = process.env['FLOE_PG_URL'];
if (url === undefined || url === '') {
  console.error('bench:pgcdc needs FLOE_PG_URL: bash scripts/services.sh start postgres && source scripts/env.sh');
  process.exit(2);
}
const SCHEMA = 'floe_bench_pgcdc';
const SLOT = 'floe_bench_pgcdc';
const READ_SLOT = 'floe_bench_pgcdc_read';
const dataDir = mkdtempSync(join(tmpdir(), 'floe-pgcdc-'));
const db = new pg.Client({ connectionString: url });
await db.connect();
const logger = silentLogger();
const events = new EventBus();

async function reset(): Promise<void> {
  for (const s of [SLOT, READ_SLOT]) await db.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [s]);
  await db.query(`DROP PUBLICATION IF EXISTS ${SLOT}`);
  await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await db.query(`CREATE SCHEMA ${SCHEMA}`);
  await db.query(`CREATE TABLE ${SCHEMA}.mixed (id int8 PRIMARY KEY, name text, amount numeric(12,2), ts timestamptz, f float8, flag bool, tags text[])`);
  await db.query(`INSERT INTO ${SCHEMA}.mixed SELECT g, 'row ' || g, g * 0.01, now(), g / 7.0, g % 2 = 0, ARRAY['a', 'b'] FROM generate_series(1, 10000) g`);
}

/** N changes: alternating inserts of new ids and updates of existing ones, 100 per transaction. */
async function backlog(from: number, n: number): Promise<void> {
  for (let done = 0; done < n; done += 100) {
    const base = from + done;
    await db.query(
      `WITH ins AS (INSERT INTO ${SCHEMA}.mixed SELECT g, 'new ' || g, g * 0.01, now(), g / 3.0, true, ARRAY['x'] FROM generate_series($1::int8, $1::int8 + 49) g RETURNING 1)
       UPDATE ${SCHEMA}.mixed SET amount = amount + 1, ts = now() WHERE id BETWEEN $2::int8 AND $2::int8 + 49`,
      [1_000_000 + base, 1 + (base % 9900)],
    );
  }
}

/** Drains `slot` with the transport and parser only (no Change conversion, no apply); changes/s. */
async function readLimit(slot: string, want: number): Promise<number> {
  const settings = pgLogicalSettings(config);
  const service = new LogicalReplicationService({ ...settings.connect, ssl: false, options: REPLICATION_SESSION_OPTIONS }, { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: true } });
  let seen = 0;
  let t0 = 0;
  const plugin = {
    name: 'pgoutput',
    parse: (b: Buffer) => parsePgoutput(b),
    start: (client: pg.Client, s: string, lsn: string) => client.query(`START_REPLICATION SLOT "${s}" LOGICAL ${lsn} (proto_version '1', publication_names '"${SLOT}"')`),
  };
  const done = new Promise<number>((resolve) => {
    service.on('data', (_lsn: string, m: { tag: string }) => {
      if (t0 === 0) t0 = performance.now();
      if (m.tag === 'insert' || m.tag === 'update' || m.tag === 'delete') seen++;
      if (seen >= want) resolve(performance.now() - t0);
    });
  });
  void service.subscribe(plugin as never, slot, '0/0').catch(() => undefined);
  const ms = await done;
  await service.destroy();
  return (want / ms) * 1000;
}

const config = await buildConfig({
  dataDir,
  sources: { pg: { type: 'postgres', url } },
  tables: [{ source: `${SCHEMA}.mixed` }],
  sync: { commitIntervalMs: 1000, source: { type: 'postgres', slot: SLOT, heartbeatMs: 1000, statusIntervalMs: 1000 } },
});

await reset();
const catalog = await openCatalog(config.catalog);
await withSlotSnapshot(config, logger, (snapshot) => runLoad(config, { catalog, events, logger }, { runId: 'bench', tables: [], reload: false, ...(snapshot ? { snapshot } : {}) }));
await db.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [READ_SLOT]);
const tw = performance.now();
await backlog(0, N);
console.log(`backlog: ${N} changes written in ${((performance.now() - tw) / 1000).toFixed(1)} s`);

const readRate = await readLimit(READ_SLOT, N);
console.log(`read   ${Math.round(readRate)} changes/s (transport + pgoutput parse, no apply)`);

const tables = await openSyncTables(config, catalog, events, logger);
const freshness: number[] = [];
let measure = false;
const sinks = new Map<string, TableSink>(
  tables.map((t) => [
    t.label,
    {
      apply: async (changes, summary) => {
        const r = await t.sink.apply(changes, summary);
        if (measure) for (const c of changes) if (c.commitTimeMs !== undefined) freshness.push(Date.now() - c.commitTimeMs);
        return r;
      },
    },
  ]),
);
let applied = 0;
const stop = new AbortController();
/** When the source first handed out changes, and each commit: [changes so far, ms since then, closed by size]. */
let firstChangeAt = 0;
const commits: { applied: number; at: number; full: boolean }[] = [];
const source: ChangeSource =
  // as floe sync runs it: the source in its own thread (FLOE_BENCH_INPROCESS=1: on the main thread, as before)
  process.env.FLOE_BENCH_INPROCESS === '1' ? openPgLogicalSource(config, events, logger) : new ThreadedChangeSource({ recipe: sourceRecipe(config, tables), events, logger });
const timed: ChangeSource = {
  name: source.name,
  start: (t) => source.start(t),
  next: async (max, wait) => {
    const b = await source.next(max, wait);
    if (firstChangeAt === 0 && b.changes.length > 0) firstChangeAt = performance.now();
    return b;
  },
  acknowledge: (a) => source.acknowledge(a),
  close: () => source.close(),
};
const sync = runSync({
  source: timed,
  tables: tables.map((t) => t.checkpoint),
  sinks,
  maxBatchChanges: config.sync.maxBatchChanges,
  maxBatchBytes: config.sync.maxBatchMiB << 20,
  commitIntervalMs: config.sync.commitIntervalMs,
  logger,
  signal: stop.signal,
  onBatch: (b) => {
    applied += b.changes;
    commits.push({ applied, at: performance.now() - firstChangeAt, full: b.changes >= config.sync.maxBatchChanges });
  },
});
while (applied < N) await new Promise((r) => setTimeout(r, 50));
// Sustained rate: up to the last batch closed by size. The tail batch closes only when the commit
// interval runs out (nothing more arrives): that measures the interval, not floe.
const full = commits.filter((c) => c.full);
const upTo = full.length > 0 ? full[full.length - 1]! : commits[commits.length - 1]!;
const applyRate = (upTo.applied / upTo.at) * 1000;
const whole = (N / commits[commits.length - 1]!.at) * 1000;
console.log(`apply  ${Math.round(applyRate)} changes/s to committed snapshots over ${full.length} full batches; whole backlog incl. the last commit interval ${Math.round(whole)}/s (${commits.length} batches)`);

measure = true;
const liveEnd = Date.now() + 8000;
for (let k = 0; Date.now() < liveEnd; k++) {
  await backlog(N + 1000 + k * 100, 100);
  await new Promise((r) => setTimeout(r, 500));
}
await new Promise((r) => setTimeout(r, config.sync.commitIntervalMs + 1500));
stop.abort();
await sync;
for (const t of tables) await t.applier.close();
await catalog.close();
freshness.sort((a, b) => a - b);
const pct = (p: number) => freshness[Math.min(freshness.length - 1, Math.floor((p / 100) * freshness.length))] ?? NaN;
console.log(`fresh  p50 ${pct(50)} ms, p99 ${pct(99)} ms over ${freshness.length} changes (commitIntervalMs ${config.sync.commitIntervalMs})`);
for (const s of [SLOT, READ_SLOT]) await db.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [s]);
await db.query(`DROP PUBLICATION IF EXISTS ${SLOT}`);
await db.end();
rmSync(dataDir, { recursive: true, force: true });
console.log(`bench:pgcdc ratio=${(applyRate / readRate).toFixed(2)} apply_changes_per_s=${Math.round(applyRate)} read_changes_per_s=${Math.round(readRate)} p99_freshness_ms=${pct(99)}`);
