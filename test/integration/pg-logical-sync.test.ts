/**
 * PostgreSQL logical replication end to end: gapless start (slot with exported snapshot, load
 * in it, a transaction committing while the load runs), then the change scenarios (inserts,
 * updates, deletes, delete + reinsert, PK updates, composite keys, TOAST carry-forward, NULLs,
 * numeric/temporal edge values, truncate) through the sync runner and apply path, compared
 * with PostgreSQL (the load's decoding) through pyiceberg. Then the crash test: `sync` in a
 * child process killed with SIGKILL at random moments while a writer runs (3 kills, ≥ 20
 * with FLOE_LONG=1), with the slot's confirmed LSN sampled against what Iceberg holds: a
 * transaction that ended before the confirmed LSN must already be in Iceberg.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { openCatalog } from '../../src/catalog/open-catalog.ts';
import type { Config } from '../../src/config/types.ts';
import { EventBus } from '../../src/core/events.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { withSlotSnapshot } from '../../src/cdc/postgres/open-pg-logical-source.ts';
import { currentSchema } from '../../src/iceberg/table/metadata-access.ts';
import { readAllRows } from '../../src/iceberg/table/scan.ts';
import { fileIOFor } from '../../src/io/registry.ts';
import { runLoad } from '../../src/pipeline/load/run-load.ts';
import { runSync } from '../../src/pipeline/sync/sync-runner.ts';
import { sourceRecipe } from '../../src/pipeline/sync/source-recipe.ts';
import { ThreadedChangeSource } from '../../src/pipeline/sync/threaded-source.ts';
import { openSyncTables } from '../../src/pipeline/sync/sync-tables.ts';
import { canonicalRows, sortCanonical } from '../support/canonical.ts';
import { pyicebergScan } from '../support/pyiceberg.ts';
import { confirmedFlush, loadRows, pgFixture, type PgFixture } from './pg-logical-helpers.ts';

const TABLES = ['items', 'pairs', 'ticks'];
const KILLS = process.env['FLOE_LONG'] === '1' ? 20 : 3;
let fx: PgFixture;
let config: Config;
let dataDir: string;
let configPath: string;

before(async () => {
  fx = await pgFixture('pglsync');
  const s = fx.schema;
  await fx.db.query(`
    CREATE TABLE "${s}".items (id int8 PRIMARY KEY, name text, price numeric(12,2), ts timestamptz, d date, f float8, tags text[], big text);
    ALTER TABLE "${s}".items ALTER big SET STORAGE EXTERNAL;
    CREATE TABLE "${s}".pairs (a int4, b text, v int4, PRIMARY KEY (a, b));
    CREATE TABLE "${s}".ticks (id int4 PRIMARY KEY, n int8 NOT NULL);
    INSERT INTO "${s}".items SELECT g, 'item ' || g, g * 1.25, '2024-01-01 00:00:00.000001+00'::timestamptz + g * interval '1 hour', '2024-01-01'::date + g, g / 3.0, ARRAY['a', NULL], repeat(md5(g::text), 100) FROM generate_series(1, 200) g;
    INSERT INTO "${s}".pairs SELECT g % 10, 'k' || g, g FROM generate_series(1, 50) g;
    INSERT INTO "${s}".ticks VALUES (1, 0);`);
  dataDir = `/tmp/floe-pglsync-${fx.slot}`;
  mkdirSync(dataDir, { recursive: true });
  const doc = {
    dataDir,
    sources: { pg: { type: 'postgres', url: fx.url } },
    tables: TABLES.map((t) => ({ source: `${s}.${t}` })),
    load: { chunkRows: 1000 },
    sync: { commitIntervalMs: 300, maxBatchChanges: 5000, source: { type: 'postgres', slot: fx.slot, heartbeatMs: 300, statusIntervalMs: 200 } },
  };
  configPath = `${dataDir}/floe.yaml`;
  writeFileSync(configPath, JSON.stringify(doc));
  config = await (await import('../../src/config/load-config.ts')).loadConfig({ path: configPath });
});
after(async () => {
  await fx.cleanup();
});

const catalogSpec = () => ({ name: config.catalog.name, uri: `sqlite:///${config.catalog.type === 'sqlite' ? config.catalog.uri : ''}`, warehouse: `file://${dataDir}/warehouse` });

async function assertSame(label: string): Promise<void> {
  const catalog = await openCatalog(config.catalog);
  try {
    for (const t of TABLES) {
      const table = await catalog.loadTable({ namespace: [fx.schema], name: t });
      const want = sortCanonical(canonicalRows(currentSchema(table.metadata), await loadRows(fx.db, config, fx.schema, t)));
      const got = await pyicebergScan(catalogSpec(), `${fx.schema}.${t}`);
      assert.deepEqual(got, want, `${label}: ${t} in Iceberg (read by pyiceberg) equals PostgreSQL`);
    }
  } finally {
    await catalog.close();
  }
}

/** One random transaction of the scenario mix; returns when committed. */
async function randomTxn(db: pg.Client, i: number, rnd: () => number): Promise<void> {
  const s = fx.schema;
  const id = 1 + Math.floor(rnd() * 260);
  // k: the op's place in its transaction, so two key moves in one transaction get distinct keys
  const ops = (k: number): string[] => [
    `INSERT INTO "${s}".items (id, name, price, big) VALUES (${id}, 'new ${i}', ${(rnd() * 1e6).toFixed(2)}, repeat('n', 5000)) ON CONFLICT (id) DO UPDATE SET name = excluded.name`,
    `UPDATE "${s}".items SET name = 'upd ${i}', price = LEAST(price + 0.01, 9999999999.99) WHERE id = ${id}`, // big unchanged: TOAST carried forward; LEAST keeps numeric(12,2) from overflowing
    `UPDATE "${s}".items SET big = repeat(md5('${i}'), 200) WHERE id = ${id}`,
    `DELETE FROM "${s}".items WHERE id = ${id}`,
    `DELETE FROM "${s}".items WHERE id = ${id}; INSERT INTO "${s}".items (id, name) VALUES (${id}, 'reborn ${i}')`,
    `UPDATE "${s}".items SET id = ${1000 + i * 8 + k} WHERE id = ${id}`,
    `UPDATE "${s}".items SET name = NULL, price = NULL, ts = NULL, tags = NULL WHERE id = ${id}`,
    `UPDATE "${s}".items SET ts = 'infinity', d = '-infinity', price = 9999999999.98, f = 'NaN', tags = '{"x,y",NULL,""}' WHERE id = ${id}`,
    `UPDATE "${s}".items SET ts = '0001-01-01 00:00:00+00', price = -0.01, f = '-0' WHERE id = ${id}`,
    `INSERT INTO "${s}".pairs VALUES (${id % 10}, 'p${i}', ${i}) ON CONFLICT (a, b) DO UPDATE SET v = excluded.v`,
    `UPDATE "${s}".pairs p SET b = b || 'x' WHERE a = ${id % 10} AND b IN (SELECT b FROM "${s}".pairs WHERE a = ${id % 10} LIMIT 1) AND NOT EXISTS (SELECT 1 FROM "${s}".pairs q WHERE q.a = p.a AND q.b = p.b || 'x')`,
    `DELETE FROM "${s}".pairs WHERE a = ${id % 10}`,
  ];
  await db.query('BEGIN');
  for (let k = 0, n = 1 + Math.floor(rnd() * 4); k < n; k++) {
    const choices = ops(k);
    await db.query(choices[Math.floor(rnd() * choices.length)]!);
  }
  if (i % 97 === 0) await db.query(`TRUNCATE "${s}".pairs`);
  await db.query(`UPDATE "${s}".ticks SET n = ${i} WHERE id = 1`);
  await db.query('COMMIT');
}

function seeded(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
}

test('gapless load in the slot snapshot, then every change scenario, equal in Iceberg and PostgreSQL', async () => {
  const events = new EventBus();
  const logger = silentLogger();
  const catalog = await openCatalog(config.catalog);
  try {
    // a transaction that commits while the load reads (after the slot's snapshot): streamed, not loaded
    const writer = new pg.Client({ connectionString: fx.url });
    await writer.connect();
    const during = (async () => {
      await new Promise((r) => setTimeout(r, 400));
      await writer.query(`UPDATE "${fx.schema}".items SET name = 'during load' WHERE id <= 5`);
    })();
    const result = await withSlotSnapshot(config, logger, (snapshot) => {
      assert.ok(snapshot, 'the slot was created with an exported snapshot');
      return runLoad(config, { catalog, events, logger }, { runId: 'l1', tables: [], reload: false, snapshot, chunkDelayMs: 800 });
    });
    await during;
    assert.deepEqual(result.outcomes.map((o) => o.status), ['loaded', 'loaded', 'loaded'], JSON.stringify(result.outcomes.map((o) => o.error)));
    const rnd = seeded(7);
    for (let i = 1; i <= 150; i++) await randomTxn(writer, i, rnd);
    await writer.end();
    const tables = await openSyncTables(config, catalog, events, logger);
    try {
      const outcome = await runSync({
        source: new ThreadedChangeSource({ recipe: sourceRecipe(config, tables), events, logger }),
        tables: tables.map((t) => t.checkpoint),
        sinks: new Map(tables.map((t) => [t.label, t.sink])),
        maxBatchChanges: 200, maxBatchBytes: 64 << 20, commitIntervalMs: 300, logger, idleExitMs: 2500, pollSliceMs: 100,
      });
      assert.ok(outcome.changes > 150, `applied ${outcome.changes} changes in ${outcome.batches} batches`);
    } finally {
      for (const t of tables) await t.applier.close();
    }
  } finally {
    await catalog.close();
  }
  await assertSame('after the scenarios');
});

function startChild(): ChildProcess {
  const script = fileURLToPath(new URL('./pg-logical-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, configPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout!.setEncoding('utf8');
  return child;
}

/** Resolves once the child committed its first batch (it streams), sampling meanwhile. */
async function whenReady(child: ChildProcess, sample: () => Promise<void>): Promise<void> {
  let ready = false;
  child.stdout!.on('data', (d: string) => (ready ||= d.includes('ready')));
  for (let w = 0; w < 600 && !ready; w++) {
    if (child.exitCode !== null) throw new Error(`sync child exited with ${child.exitCode} before streaming`);
    await sample();
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(ready, 'sync child streams within 60 s');
}

async function icebergTick(): Promise<bigint> {
  const catalog = await openCatalog(config.catalog);
  try {
    const table = await catalog.loadTable({ namespace: [fx.schema], name: 'ticks' });
    const rows = await readAllRows(fileIOFor(table.metadata.location), table.metadata);
    return (rows[0]?.['n'] as bigint | undefined) ?? -1n;
  } finally {
    await catalog.close();
  }
}

test(`crash test: ${KILLS} SIGKILLs at random moments, exact equality after restart; confirmed LSN never ahead of Iceberg`, async () => {
  const writer = new pg.Client({ connectionString: fx.url });
  await writer.connect();
  const rnd = seeded(99);
  const ends: { i: number; lsn: bigint }[] = [];
  let stopWriting = false;
  let i = 10_000;
  const writing = (async () => {
    while (!stopWriting) {
      await randomTxn(writer, ++i, rnd);
      const lsn = (await writer.query<{ l: string }>(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::int8::text AS l`)).rows[0]!.l;
      ends.push({ i, lsn: BigInt(lsn) });
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  let checks = 0;
  const sample = async () => {
    const confirmed = await confirmedFlush(fx.db, fx.slot);
    const tick = await icebergTick();
    const mustHave = ends.filter((e) => e.lsn <= confirmed).at(-1)?.i;
    if (mustHave !== undefined) {
      checks++;
      assert.ok(tick >= BigInt(mustHave), `slot confirmed ${confirmed} past the end of transaction ${mustHave}, but Iceberg holds only tick ${tick}`);
    }
  };
  let child = startChild();
  try {
    for (let k = 0; k < KILLS; k++) {
      await whenReady(child, sample);
      const until = Date.now() + rnd() * 1500; // a random moment: gathering, writing files, committing, acknowledging
      while (Date.now() < until) {
        await sample();
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      child = startChild();
    }
    stopWriting = true;
    await writing;
    const last = BigInt(i);
    for (let w = 0; w < 600 && (await icebergTick()) !== last; w++) {
      await sample();
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(await icebergTick(), last, 'sync caught up after the last restart');
    assert.ok(checks > 5, `confirmed-LSN checks made: ${checks}`);
  } finally {
    stopWriting = true;
    await writing.catch(() => undefined);
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    await writer.end();
  }
  await assertSame(`after ${KILLS} kills`);
});
