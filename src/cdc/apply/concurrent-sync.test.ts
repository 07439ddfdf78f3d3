/**
 * Two syncs writing one table, as two processes would: each with its own SQL catalog handle
 * (one SQLite file), its own key index, on one local warehouse. A sync commit (one carrying
 * checkpoint keys) is only made while the table's newest checkpoint is the one its applier
 * knows; commits without checkpoint keys (loads, compaction, other engines) are re-planned over.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlCatalog } from '../../catalog/sql/sql-catalog.ts';
import { SqliteDriver } from '../../catalog/sql/sqlite-driver.ts';
import type { Change } from '../../core/change.ts';
import { ConcurrentSyncError } from '../../core/errors.ts';
import { LocalFileIO, toLocalPath } from '../../io/local-file-io.ts';
import type { TableIdentifier } from '../../iceberg/spec/types.ts';
import { readAllRows } from '../../iceberg/table/scan.ts';
import { appendRows } from '../../iceberg/table/table-writer.ts';
import { openTableApplier, type TableApplier } from './apply-batch.ts';
import { schema, up } from './apply-test-support.ts';
import { checkpointSummary, offsetsAfter, readCheckpoint } from './checkpoint.ts';

let dir: string;
const io = new LocalFileIO();
const catalogs: SqlCatalog[] = [];
const appliers: TableApplier[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floe-concurrent-sync-'));
  const setup = await openCatalog();
  await setup.createNamespace(['db']);
});
after(async () => {
  for (const a of appliers) await a.close().catch(() => undefined);
  for (const c of catalogs) await c.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A catalog handle of its own on the shared SQLite catalog, as another process would open. */
async function openCatalog(): Promise<SqlCatalog> {
  const c = await SqlCatalog.open({ name: 'floe_concurrent', driver: new SqliteDriver(join(dir, 'catalog.db')), warehouse: `file://${join(dir, 'warehouse')}`, io });
  catalogs.push(c);
  return c;
}

/** Local files, counting the files an applier opens for writing. */
class CountingFileIO extends LocalFileIO {
  opened = 0;
  override openOutput(uri: string) {
    this.opened += 1;
    return super.openOutput(uri);
  }
}

/** One `floe sync` process's applier on `id`: its own catalog handle and its own key index. */
async function openSync(id: TableIdentifier, process: string, files: LocalFileIO = io, maxReplans?: number): Promise<TableApplier> {
  const indexPath = join(dir, `${id.name}.${process}.sqlite`);
  const applier = await openTableApplier({ catalog: await openCatalog(), io: files, id, indexPath, ...(maxReplans === undefined ? {} : { maxReplans }) });
  appliers.push(applier);
  return applier;
}

async function createTable(name: string): Promise<TableIdentifier> {
  const id: TableIdentifier = { namespace: ['db'], name };
  await catalogs[0]!.createTable(id, { schema });
  return id;
}

/** Upserts as read from Kafka: topic `pg.db.t`, partition 0, from `offset` on. */
function fromKafka(offset: number, rows: [bigint, string][]): Change[] {
  return rows.map(([id, v], i) => ({ ...up(id, v), origin: { topic: 'pg.db.t', partition: 0, offset: BigInt(offset + i) } }));
}

/** Applies `changes` with the checkpoint a sync stores: the next Kafka offsets after them. */
const applySync = (applier: TableApplier, changes: Change[], commitId?: string) =>
  applier.apply(changes, { summary: checkpointSummary(offsetsAfter(changes), null), ...(commitId === undefined ? {} : { commitId }) });

async function tableState(id: TableIdentifier) {
  const { metadata } = await catalogs[0]!.loadTable(id);
  const rows = (await readAllRows(io, metadata)).map((r) => `${r.id}=${r.v}`).sort();
  const cp = readCheckpoint(metadata);
  return { metadata, rows, checkpoint: cp, nextOffset: cp?.offsets.get('pg.db.t')?.get(0) };
}

/** Files under the table's data folder: a fenced batch must leave none of its own behind. */
async function dataFileCount(id: TableIdentifier): Promise<number> {
  const { metadata } = await catalogs[0]!.loadTable(id);
  const files = await readdir(toLocalPath(`${metadata.location}/data`), { recursive: true }).catch(() => []);
  return files.filter((f) => f.endsWith('.parquet')).length;
}

test('a sync whose checkpoint another sync moved stops with ConcurrentSyncError; the table keeps the other sync\'s rows and offsets', async () => {
  const id = await createTable('race');
  // both start from the same checkpoint (none: never synced) and read the same events
  const a = await openSync(id, 'a');
  const b = await openSync(id, 'b', io, 0); // no re-plan: only the check at commit time can name the cause
  const committedA = await applySync(a, fromKafka(0, [[1n, 'a1'], [2n, 'a2']]), 'sync-a-1');
  const snapshotA = committedA.snapshot!.snapshotId;
  const filesBefore = await dataFileCount(id);

  // B plans on the table as it opened it; the check in the commit's validate stops it
  const stale = fromKafka(0, [[1n, 'b-stale'], [3n, 'b3']]);
  const error = await applySync(b, stale).then(
    () => assert.fail('B committed over A\'s checkpoint'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ConcurrentSyncError, String(error));
  assert.match(error.message, /^table db\.race: another floe sync moved the checkpoint/);
  assert.match(error.message, new RegExp(`snapshot ${snapshotA} \\(floe.commit-id sync-a-1\\)`));
  assert.match(error.message, /two floe sync processes must not write one table/);
  await assert.rejects(applySync(b, stale), ConcurrentSyncError, 'the fence stays up: B never re-plans over A');

  const state = await tableState(id);
  assert.deepEqual(state.rows, ['1=a1', '2=a2']);
  assert.equal(state.checkpoint?.snapshotId, snapshotA);
  assert.equal(state.checkpoint?.commitId, 'sync-a-1');
  assert.equal(state.nextOffset, 2n);
  assert.equal(await dataFileCount(id), filesBefore, 'B deleted the files of its fenced batch');

  // A is not fenced by its own commits, with or without checkpoint keys in between
  await a.apply([up(9n, 'no checkpoint')]);
  assert.equal((await applySync(a, fromKafka(2, [[1n, 'A1'], [4n, 'a4']]))).replans, 0);

  // B restarted: a new applier reads A's checkpoint at open and goes on from there
  await b.close();
  const restarted = await openSync(id, 'b');
  await applySync(restarted, fromKafka(4, [[5n, 'b5']]));
  await restarted.close();
  const end = await tableState(id);
  assert.deepEqual(end.rows, ['1=A1', '2=a2', '4=a4', '5=b5', '9=no checkpoint']);
  assert.equal(end.nextOffset, 5n);
});

test('a commit without checkpoint keys by another writer is re-planned over; the sync that then falls behind is fenced', async () => {
  const id = await createTable('foreign');
  const first = await openSync(id, 'first');
  await applySync(first, fromKafka(0, [[1n, 'x'], [2n, 'y']]));
  await first.close();
  const filesOfA = new CountingFileIO();
  const a = await openSync(id, 'a', filesOfA);
  const b = await openSync(id, 'b');

  // a load, compaction or another engine: no floe.kafka.offsets / floe.source.position
  await appendRows(catalogs[0]!, io, id, [{ id: 10n, v: 'appended' }]);
  const byB = await applySync(b, fromKafka(2, [[1n, 'X'], [3n, 'z']]), 'sync-b-1');
  assert.equal(byB.replans, 1, 'B re-planned over the foreign commit');
  assert.ok(byB.snapshot !== null);
  const nextByB = await applySync(b, fromKafka(4, [[3n, 'Z']]));
  assert.equal(nextByB.replans, 0, 'B goes on over its own checkpoint');

  // A re-plans a commit without checkpoint keys over B's, as before (so its table is now fresh) ...
  assert.equal((await a.apply([up(11n, 'maintenance')])).replans, 1);
  // ... but a sync commit of A is fenced, before it writes anything
  const opened = filesOfA.opened;
  await assert.rejects(applySync(a, fromKafka(2, [[1n, 'A-stale']])), (e: unknown) => e instanceof ConcurrentSyncError && /floe\.commit-id/.test(e.message) && /^table db\.foreign:/.test(e.message));
  assert.equal(filesOfA.opened, opened, 'checked on the reloaded table, before writing a file');

  const state = await tableState(id);
  assert.deepEqual(state.rows, ['10=appended', '11=maintenance', '1=X', '2=y', '3=Z']);
  assert.equal(state.nextOffset, 5n, 'B\'s offsets stand');
  assert.equal(state.checkpoint?.snapshotId, nextByB.snapshot?.snapshotId);
});

test('a source-position checkpoint (the pg-logical source) is fenced the same way', async () => {
  const id = await createTable('pg');
  const a = await openSync(id, 'a');
  const b = await openSync(id, 'b');
  const position = (lsn: bigint) => ({ summary: checkpointSummary(null, { commitLsn: lsn }) });
  await a.apply([up(1n, 'a')], position(100n));
  await assert.rejects(b.apply([up(1n, 'b')], position(90n)), ConcurrentSyncError);
  const state = await tableState(id);
  assert.deepEqual(state.rows, ['1=a']);
  assert.deepEqual(state.checkpoint?.position, { commitLsn: 100n });
});
