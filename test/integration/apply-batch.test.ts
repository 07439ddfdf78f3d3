/**
 * The apply path on a real Iceberg table (SQL catalog on SQLite, local files): a random stream
 * of upserts, deletes, PK updates, unchanged-TOAST updates and truncates in random batch
 * sizes, compared with a reference model after every batch by floe's scan, and at the end by
 * pyiceberg. Includes crashes between the Iceberg commit and the key-index update.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlCatalog } from '../../src/catalog/sql/sql-catalog.ts';
import { SqliteDriver } from '../../src/catalog/sql/sqlite-driver.ts';
import type { Catalog } from '../../src/catalog/catalog.ts';
import type { Change } from '../../src/core/change.ts';
import { EventBus } from '../../src/core/events.ts';
import { LocalFileIO } from '../../src/io/local-file-io.ts';
import type { PartitionSpec, Row, Schema, TableIdentifier } from '../../src/iceberg/spec/types.ts';
import { readAllRows } from '../../src/iceberg/table/scan.ts';
import { openTableApplier, type TableApplier } from '../../src/cdc/apply/apply-batch.ts';
import { checkpointSummary, offsetsAfter, readCheckpoint } from '../../src/cdc/apply/checkpoint.ts';
import { canonicalRows } from '../support/canonical.ts';
import { pyicebergScan, type SqlCatalogSpec } from '../support/pyiceberg.ts';
import { seededRandom as rng } from '../support/seeded-random.ts';

let dir: string;
let spec: SqlCatalogSpec;
let catalog: Catalog;
const io = new LocalFileIO();
const PLACEHOLDER = '__debezium_unavailable_value';

before(async () => {
  if (!process.env['FLOE_PYTHON']) throw new Error('FLOE_PYTHON is not set: source scripts/env.sh (pyiceberg reads the table at the end)');
  dir = await mkdtemp(join(tmpdir(), 'floe-apply-'));
  spec = { name: 'floe_apply', uri: `sqlite:///${join(dir, 'catalog.db')}`, warehouse: `file://${join(dir, 'warehouse')}` };
  catalog = await SqlCatalog.open({ name: spec.name, driver: new SqliteDriver(join(dir, 'catalog.db')), warehouse: spec.warehouse, io });
  await catalog.createNamespace(['db']);
});
after(async () => {
  await catalog?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [1, 2],
  fields: [
    { id: 1, name: 'region', required: true, type: { type: 'string' } },
    { id: 2, name: 'id', required: true, type: { type: 'long' } },
    { id: 3, name: 'amount', required: false, type: { type: 'decimal', precision: 12, scale: 2 } },
    { id: 4, name: 'doc', required: false, type: { type: 'string' } },
  ],
};
const bucketed: PartitionSpec = { specId: 0, fields: [{ sourceId: 2, fieldId: 1000, name: 'id_bucket', transform: 'bucket[3]' }] };

const keyOf = (r: Row): string => `${String(r.region)}/${String(r.id)}`;

/** One random change against the model (mutated to the state after it). */
function randomChange(rand: () => number, model: Map<string, Row>, n: number): Change {
  const live = [...model.values()];
  const pick = (): Row => live[Math.floor(rand() * live.length)]!;
  const newRow = (): Row => ({
    region: ['eu', 'us', ''][Math.floor(rand() * 3)]!,
    id: BigInt(Math.floor(rand() * 150)) - 20n,
    amount: rand() < 0.15 ? null : BigInt(Math.floor(rand() * 2e9)) - 1_000_000_000n,
    doc: rand() < 0.1 ? null : `doc-${n}-${'x'.repeat(Math.floor(rand() * 40))}`,
  });
  const base = { table: 'db.t', before: null, position: { lsn: BigInt(n) }, commitTimeMs: Date.now(), origin: { topic: 'pg.db.t', partition: n % 2, offset: BigInt(n) } };
  const r = rand();
  if (r < 0.02) {
    model.clear();
    return { ...base, op: 'truncate', key: null, after: null, unchanged: [] };
  }
  if (live.length > 0 && r < 0.22) {
    const victim = pick();
    model.delete(keyOf(victim));
    return { ...base, op: 'delete', key: { region: victim.region!, id: victim.id! }, after: null, unchanged: [] };
  }
  if (live.length > 0 && r < 0.32) {
    // primary-key update, sometimes leaving the TOAST column unchanged
    const old = pick();
    const moved = { ...newRow(), doc: old.doc! };
    if (model.has(keyOf(moved))) return randomChange(rand, model, n);
    model.delete(keyOf(old));
    model.set(keyOf(moved), moved);
    const toast = rand() < 0.5;
    return { ...base, op: 'upsert', key: { region: old.region!, id: old.id! }, after: toast ? { ...moved, doc: PLACEHOLDER } : moved, unchanged: toast ? ['doc'] : [] };
  }
  if (live.length > 0 && r < 0.5) {
    // update leaving doc unchanged (TOAST)
    const old = pick();
    const updated = { ...old, amount: BigInt(Math.floor(rand() * 1000)) };
    model.set(keyOf(old), updated);
    return { ...base, op: 'upsert', key: { region: old.region!, id: old.id! }, after: { ...updated, doc: PLACEHOLDER }, unchanged: ['doc'] };
  }
  const row = newRow();
  model.set(keyOf(row), row);
  return { ...base, op: 'upsert', key: { region: row.region!, id: row.id! }, after: row, unchanged: [] };
}

async function tableRows(id: TableIdentifier): Promise<Row[]> {
  return readAllRows(io, (await catalog.loadTable(id)).metadata);
}

test('random change stream in random batches equals the model after every batch (floe scan) and at the end (pyiceberg)', async () => {
  const id: TableIdentifier = { namespace: ['db'], name: 't' };
  await catalog.createTable(id, { schema, spec: bucketed });
  const options = { catalog, io, id, indexPath: join(dir, 't.index.sqlite'), events: new EventBus() };
  const committed: number[] = [];
  options.events.on('sync:batch-committed', (e) => committed.push(e.upserts + e.deletes));
  const rand = rng(20240611);
  const model = new Map<string, Row>();
  let applier: TableApplier = await openTableApplier(options);
  let n = 0;
  let crashes = 0;
  for (let b = 0; b < 45; b += 1) {
    const size = 1 + Math.floor(rand() * (b % 5 === 0 ? 120 : 25));
    const changes = Array.from({ length: size }, () => randomChange(rand, model, n++));
    const crash = b % 9 === 4;
    const summary = checkpointSummary(offsetsAfter(changes), changes.at(-1)!.position);
    if (crash) {
      await assert.rejects(applier.apply(changes, { summary, beforeIndexUpdate: () => Promise.reject(new Error('kill -9')) }), /kill -9/);
      await applier.close();
      applier = await openTableApplier(options);
      assert.equal(applier.opened.mode, 'caught-up', `batch ${b}: reopen after a crash catches up`);
      crashes += 1;
    } else {
      await applier.apply(changes, { summary });
    }
    const got = canonicalRows(schema, await tableRows(id));
    assert.deepEqual(got, canonicalRows(schema, [...model.values()]), `batch ${b} (${size} changes)`);
  }
  await applier.close();
  assert.ok(crashes >= 4);
  assert.ok(committed.length >= 40);
  const table = await catalog.loadTable(id);
  const cp = readCheckpoint(table.metadata);
  assert.equal(cp?.position?.lsn, BigInt(n - 1));
  assert.equal(cp?.offsets.get('pg.db.t')?.get((n - 1) % 2), BigInt(n));
  assert.ok(!(await tableRows(id)).some((r) => r.doc === PLACEHOLDER));
  assert.deepEqual(await pyicebergScan(spec, 'db.t'), canonicalRows(schema, [...model.values()]));
});

test('keyless table: whole-row identity, duplicates kept, one matching row removed per delete', async () => {
  const id: TableIdentifier = { namespace: ['db'], name: 'keyless' };
  const kschema: Schema = { ...schema, identifierFieldIds: [] };
  await catalog.createTable(id, { schema: kschema });
  const applier = await openTableApplier({ catalog, io, id, indexPath: join(dir, 'keyless.index.sqlite') });
  const rand = rng(7);
  const pool: Row[] = Array.from({ length: 6 }, (_, i) => ({ region: 'eu', id: BigInt(i % 3), amount: i % 2 === 0 ? null : 5n, doc: null }));
  let model: Row[] = [];
  try {
    for (let b = 0; b < 12; b += 1) {
      const changes: Change[] = [];
      for (let i = 0; i < 1 + Math.floor(rand() * 15); i += 1) {
        const base = { table: 'db.keyless', key: null, unchanged: [], position: {} };
        if (model.length > 0 && rand() < 0.4) {
          const victim = model[Math.floor(rand() * model.length)]!;
          model.splice(model.indexOf(victim), 1);
          changes.push({ ...base, op: 'delete', before: victim, after: null });
        } else {
          const row = pool[Math.floor(rand() * pool.length)]!;
          model.push(row);
          changes.push({ ...base, op: 'upsert', before: null, after: row });
        }
      }
      await applier.apply(changes);
      assert.deepEqual(canonicalRows(kschema, await tableRows(id)), canonicalRows(kschema, model), `batch ${b}`);
    }
    assert.ok(model.length > 0);
    // a delete of a row that is not there removes nothing
    await applier.apply([{ table: 'db.keyless', key: null, unchanged: [], position: {}, op: 'delete', before: { region: 'nowhere', id: 1n, amount: null, doc: null }, after: null }]);
    model = [...model];
    assert.deepEqual(await pyicebergScan(spec, 'db.keyless'), canonicalRows(kschema, model));
  } finally {
    await applier.close();
  }
});
