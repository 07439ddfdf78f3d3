/**
 * The sync checkpoint across snapshot expiry: every sync commit also sets the table property
 * floe.sync.checkpoint, so when another engine's compaction and `expire_snapshots` removed every
 * snapshot carrying the checkpoint, a restarted sync resumes from the property; a rollback past
 * the last sync commit is not mistaken for expiry. On the SQL catalog (SQLite), which must
 * persist the property with the snapshot.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlCatalog } from '../../catalog/sql/sql-catalog.ts';
import { SqliteDriver } from '../../catalog/sql/sqlite-driver.ts';
import type { Change } from '../../core/change.ts';
import { ConcurrentSyncError } from '../../core/errors.ts';
import { LocalFileIO } from '../../io/local-file-io.ts';
import type { TableIdentifier } from '../../iceberg/spec/types.ts';
import { currentSnapshot } from '../../iceberg/table/metadata-access.ts';
import { readAllRows } from '../../iceberg/table/scan.ts';
import { appendRows } from '../../iceberg/table/table-writer.ts';
import type { TableConfig } from '../../config/types.ts';
import { tableCheckpoint } from '../../pipeline/sync/sync-tables.ts';
import { positionFromSummaries, positionSummary } from '../postgres/table-position.ts';
import { openTableApplier, type TableApplier } from './apply-batch.ts';
import { schema, up } from './apply-test-support.ts';
import { CHECKPOINT_PROPERTY, checkpointSummary, KAFKA_OFFSETS_KEY, offsetsAfter, readCheckpoint } from './checkpoint.ts';

let dir: string;
let catalog: SqlCatalog;
const io = new LocalFileIO();
const appliers: TableApplier[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floe-checkpoint-expiry-'));
  catalog = await SqlCatalog.open({ name: 'floe_expiry', driver: new SqliteDriver(join(dir, 'catalog.db')), warehouse: `file://${join(dir, 'warehouse')}`, io });
  await catalog.createNamespace(['db']);
});
after(async () => {
  for (const a of appliers) await a.close().catch(() => undefined);
  await catalog.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function createTable(name: string): Promise<TableIdentifier> {
  const id: TableIdentifier = { namespace: ['db'], name };
  await catalog.createTable(id, { schema });
  return id;
}

async function openSync(id: TableIdentifier, process: string): Promise<TableApplier> {
  const applier = await openTableApplier({ catalog, io, id, indexPath: join(dir, `${id.name}.${process}.sqlite`) });
  appliers.push(applier);
  return applier;
}

function fromKafka(offset: number, rows: [bigint, string][]): Change[] {
  return rows.map(([id, v], i) => ({ ...up(id, v), origin: { topic: 'pg.db.t', partition: 0, offset: BigInt(offset + i) } }));
}

const applySync = (applier: TableApplier, changes: Change[], commitId: string) => applier.apply(changes, { summary: checkpointSummary(offsetsAfter(changes), null), commitId });

/** Another engine's compaction (a commit without floe keys), then `expire_snapshots(retain_last => 1)`. */
async function compactAndExpire(id: TableIdentifier): Promise<void> {
  await appendRows(catalog, io, id, [{ id: 100n, v: 'compacted' }]);
  const { metadata } = await catalog.loadTable(id);
  const head = currentSnapshot(metadata)!.snapshotId;
  const expired = metadata.snapshots.map((s) => s.snapshotId).filter((s) => s !== head);
  await catalog.commitTable(id, [], [{ action: 'remove-snapshots', snapshotIds: expired }]);
}

test('a sync commit sets floe.sync.checkpoint with the offsets of its summary, in the same metadata commit', async () => {
  const id = await createTable('property');
  const a = await openSync(id, 'a');
  const before = (await catalog.loadTable(id)).metadataLocation;
  const first = await applySync(a, fromKafka(0, [[1n, 'a'], [2n, 'b']]), 'sync-1');
  const { metadata, metadataLocation } = await catalog.loadTable(id);
  assert.equal(metadata.metadataLog.at(-1)?.metadataFile, before, 'snapshot and property landed in one metadata version');
  assert.equal(currentSnapshot(metadata)?.snapshotId, first.snapshot!.snapshotId);
  const property = JSON.parse(metadata.properties[CHECKPOINT_PROPERTY]!) as Record<string, unknown>;
  assert.deepEqual(property, { 'floe.commit-id': 'sync-1', [KAFKA_OFFSETS_KEY]: JSON.parse(first.snapshot!.summary[KAFKA_OFFSETS_KEY]!) });
  assert.equal(JSON.stringify(property[KAFKA_OFFSETS_KEY]), first.snapshot!.summary[KAFKA_OFFSETS_KEY]);
  assert.ok(metadata.properties[CHECKPOINT_PROPERTY]!.length < 200, 'the property stays small');
  // one metadata version for the snapshot and the property
  await a.apply([up(3n, 'no checkpoint')]);
  const after = await catalog.loadTable(id);
  assert.notEqual(after.metadataLocation, metadataLocation);
  assert.equal(after.metadata.properties[CHECKPOINT_PROPERTY], metadata.properties[CHECKPOINT_PROPERTY], 'a commit without checkpoint keys leaves the property');
  assert.equal(readCheckpoint(metadata)?.from, 'snapshot');
});

test('after compaction and expiry, readCheckpoint returns the property\'s offsets and a restarted sync goes on from them', async () => {
  const id = await createTable('expired');
  const a = await openSync(id, 'a');
  await applySync(a, fromKafka(0, [[1n, 'a'], [2n, 'b']]), 'sync-1');
  await applySync(a, fromKafka(2, [[1n, 'A']]), 'sync-2');
  await a.close();
  await compactAndExpire(id);

  const { metadata } = await catalog.loadTable(id);
  assert.equal(metadata.snapshots.length, 1, 'only the compaction is left');
  const cp = readCheckpoint(metadata);
  assert.equal(cp?.from, 'property');
  assert.equal(cp?.snapshotId, null);
  assert.equal(cp?.commitId, 'sync-2');
  assert.equal(cp?.offsets.get('pg.db.t')?.get(0), 3n);
  assert.deepEqual(cp?.summary, { 'floe.commit-id': 'sync-2', [KAFKA_OFFSETS_KEY]: '{"pg.db.t":{"0":"3"}}' });

  // the restarted sync's fence accepts the property's checkpoint as the one it read
  const restarted = await openSync(id, 'a2');
  const next = await applySync(restarted, fromKafka(3, [[2n, 'B']]), 'sync-3');
  assert.equal(next.replans, 0);
  const end = await catalog.loadTable(id);
  assert.equal(readCheckpoint(end.metadata)?.from, 'snapshot');
  assert.equal(readCheckpoint(end.metadata)?.offsets.get('pg.db.t')?.get(0), 4n);
  assert.deepEqual((await readAllRows(io, end.metadata)).map((r) => `${r.id}=${r.v}`).sort(), ['100=compacted', '1=A', '2=B']);
});

test('a rollback past the last sync commit is not mistaken for expiry: the property is ignored', async () => {
  const id = await createTable('rollback');
  const a = await openSync(id, 'a');
  await appendRows(catalog, io, id, [{ id: 50n, v: 'loaded' }]);
  const loaded = currentSnapshot((await catalog.loadTable(id)).metadata)!.snapshotId;
  await applySync(a, fromKafka(0, [[1n, 'a']]), 'sync-1');
  await appendRows(catalog, io, id, [{ id: 51n, v: 'on top' }]);
  const onTop = currentSnapshot((await catalog.loadTable(id)).metadata)!.snapshotId;
  await a.close();

  // main set back to before the sync commit, which still exists
  await catalog.commitTable(id, [], [{ action: 'set-snapshot-ref', refName: 'main', snapshotId: loaded, type: 'branch' }]);
  const rolledBack = (await catalog.loadTable(id)).metadata;
  assert.ok(rolledBack.properties[CHECKPOINT_PROPERTY] !== undefined);
  assert.equal(readCheckpoint(rolledBack), null, 'the sync commit is still in the table: rolled back, not expired');

  // the rolled-back snapshots expired too, but main's history reaches its root: still not expiry
  const gone = rolledBack.snapshots.map((s) => s.snapshotId).filter((s) => s !== loaded);
  assert.ok(gone.includes(onTop));
  await catalog.commitTable(id, [], [{ action: 'remove-snapshots', snapshotIds: gone }]);
  assert.equal(readCheckpoint((await catalog.loadTable(id)).metadata), null);
});

test('a rollback to a snapshot whose own history expired: the sync commit is still there, so the property is ignored', async () => {
  const id = await createTable('rollback-cut');
  await appendRows(catalog, io, id, [{ id: 49n, v: 'old' }]);
  const old = currentSnapshot((await catalog.loadTable(id)).metadata)!.snapshotId;
  await appendRows(catalog, io, id, [{ id: 50n, v: 'loaded' }]);
  const loaded = currentSnapshot((await catalog.loadTable(id)).metadata)!.snapshotId;
  await catalog.commitTable(id, [], [{ action: 'remove-snapshots', snapshotIds: [old] }]);
  const a = await openSync(id, 'a');
  await applySync(a, fromKafka(0, [[1n, 'a']]), 'sync-1');
  await a.close();
  await catalog.commitTable(id, [], [{ action: 'set-snapshot-ref', refName: 'main', snapshotId: loaded, type: 'branch' }]);
  assert.equal(readCheckpoint((await catalog.loadTable(id)).metadata), null);
});

test('after expiry the fence still stops a second sync once the first moved the checkpoint', async () => {
  const id = await createTable('fence');
  const first = await openSync(id, 'first');
  await applySync(first, fromKafka(0, [[1n, 'x']]), 'sync-1');
  await first.close();
  await compactAndExpire(id);

  // both open on the property's checkpoint
  const a = await openSync(id, 'a');
  const b = await openSync(id, 'b');
  await applySync(a, fromKafka(1, [[2n, 'a']]), 'sync-a');
  const error = await applySync(b, fromKafka(1, [[2n, 'b-stale']]), 'sync-b').then(
    () => assert.fail('B committed over A\'s checkpoint'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ConcurrentSyncError, String(error));
  assert.match(error.message, /floe\.commit-id sync-a\)/);
  assert.match(error.message, /expected floe\.commit-id sync-1 \(from floe\.sync\.checkpoint; its snapshot expired\)/);
  const { metadata } = await catalog.loadTable(id);
  assert.equal(readCheckpoint(metadata)?.commitId, 'sync-a');
  assert.deepEqual((await readAllRows(io, metadata)).map((r) => `${r.id}=${r.v}`).sort(), ['100=compacted', '1=x', '2=a']);
});

test('the pg-logical source resumes from the property after expiry (tableCheckpoint hands it the checkpoint\'s keys)', async () => {
  const id = await createTable('pglogical');
  const a = await openSync(id, 'a');
  const at = (through: bigint) => positionSummary({ through, load: null }, 7);
  await a.apply([up(1n, 'a')], { summary: at(1000n), commitId: 'pg-1' });
  await a.apply([up(1n, 'b')], { summary: at(2000n), commitId: 'pg-2' });
  await a.close();
  const config = { target: { namespace: ['db'], name: 'pglogical' }, source: { schema: 'public', table: 't' } } as unknown as TableConfig;
  const live = tableCheckpoint(config, (await catalog.loadTable(id)).metadata);
  await compactAndExpire(id);
  const expired = tableCheckpoint(config, (await catalog.loadTable(id)).metadata);
  assert.equal(expired.lastCommitted?.['floe.source.position'], live.lastCommitted?.['floe.source.position']);
  assert.equal(expired.lastCommitted?.['floe.commit-id'], 'pg-2');
  assert.deepEqual(positionFromSummaries('db.pglogical', expired.lastCommitted, expired.loadWatermark), { through: 2000n, load: null });
});
