import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCatalog, MemoryCatalogState } from '../../catalog/memory/memory-catalog.ts';
import { MemoryFileIO } from '../../io/memory-file-io.ts';
import { FileContent, type DataFile, type Schema, type TableIdentifier } from '../spec/types.ts';
import { commitChange, deriveOperation } from './snapshot-producer.ts';
import { liveFiles, planTasks } from './scan-planner.ts';
import { updateSchema, updateProperties } from './table-updates.ts';
import { currentSchema } from './metadata-access.ts';

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [1],
  fields: [
    { id: 1, name: 'id', required: true, type: { type: 'long' } },
    { id: 2, name: 'v', required: false, type: { type: 'int' } },
  ],
};
const id: TableIdentifier = { namespace: ['db'], name: 't' };

function file(name: string, rows: number, content: FileContent = FileContent.Data, referencedDataFile?: string): DataFile {
  return {
    content,
    filePath: `memory://warehouse/db/t/data/${name}.parquet`,
    fileFormat: 'PARQUET',
    specId: 0,
    partition: [],
    recordCount: rows,
    fileSizeInBytes: rows * 10,
    ...(referencedDataFile === undefined ? {} : { referencedDataFile }),
  };
}

async function setup(state = new MemoryCatalogState(), io = new MemoryFileIO()) {
  const catalog = new MemoryCatalog({ state, io });
  if (!(await catalog.namespaceExists(['db']))) await catalog.createNamespace(['db']);
  if (!(await catalog.tableExists(id))) await catalog.createTable(id, { schema });
  return { catalog, io };
}

test('append, row delta and overwrite keep the live file set and totals right', async () => {
  const { catalog, io } = await setup();
  const a = await commitChange(catalog, io, id, { addedFiles: [file('a', 10), file('b', 5)], summary: { 'floe.lsn': '0/10' } });
  assert.equal(a.snapshot.summary.operation, 'append');
  assert.equal(a.snapshot.summary['total-records'], '15');
  assert.equal(a.snapshot.summary['floe.lsn'], '0/10');
  assert.equal(a.snapshot.sequenceNumber, 1);

  const del = file('d1', 2, FileContent.PositionDeletes, file('a', 0).filePath);
  const b = await commitChange(catalog, io, id, { addedFiles: [file('c', 3), del] });
  assert.equal(b.snapshot.summary.operation, 'overwrite');
  assert.equal(b.snapshot.parentSnapshotId, a.snapshot.snapshotId);
  assert.equal(b.snapshot.summary['total-position-deletes'], '2');

  const live = await liveFiles(io, b.table.metadata);
  assert.deepEqual(live.data.map((e) => e.dataFile.filePath.split('/').pop()).sort(), ['a.parquet', 'b.parquet', 'c.parquet']);
  const tasks = planTasks(b.table.metadata, live);
  const taskA = tasks.find((t) => t.dataFile.filePath.endsWith('/a.parquet'))!;
  const taskB = tasks.find((t) => t.dataFile.filePath.endsWith('/b.parquet'))!;
  assert.equal(taskA.deletes.length, 1, 'the delete file names a.parquet');
  assert.equal(taskB.deletes.length, 0, 'a delete file referencing another file does not apply');
  assert.equal(taskA.dataSequenceNumber, 1);

  const c = await commitChange(catalog, io, id, { addedFiles: [file('e', 7)], removedFiles: [file('a', 10), del] });
  const after = await liveFiles(io, c.table.metadata);
  assert.deepEqual(after.data.map((e) => e.dataFile.filePath.split('/').pop()).sort(), ['b.parquet', 'c.parquet', 'e.parquet']);
  assert.equal(after.deletes.length, 0);
  assert.equal(c.snapshot.summary['total-records'], String(15 + 3 - 10 + 7));
  assert.equal(c.snapshot.summary['total-delete-files'], '0');
  // Files kept from earlier snapshots keep their sequence numbers.
  assert.equal(after.data.find((e) => e.dataFile.filePath.endsWith('/b.parquet'))!.sequenceNumber, 1);
  assert.equal(after.data.find((e) => e.dataFile.filePath.endsWith('/e.parquet'))!.sequenceNumber, 3);
});

test('truncate removes every live file in one delete snapshot', async () => {
  const { catalog, io } = await setup();
  await commitChange(catalog, io, id, { addedFiles: [file('a', 10)] });
  await commitChange(catalog, io, id, { addedFiles: [file('b', 1)] });
  const t = await commitChange(catalog, io, id, { addedFiles: [], removeAll: true });
  assert.equal(t.snapshot.summary.operation, 'delete');
  assert.equal(t.snapshot.summary['total-records'], '0');
  assert.equal((await liveFiles(io, t.table.metadata)).data.length, 0);
});

test('removing a file that is no longer live abandons the commit', async () => {
  const { catalog, io } = await setup();
  await commitChange(catalog, io, id, { addedFiles: [file('a', 10)] });
  await assert.rejects(commitChange(catalog, io, id, { addedFiles: [], removedFiles: [file('zzz', 1)] }), /no longer live/);
});

test('concurrent writers both land: the loser refreshes and retries on the new base', async () => {
  const state = new MemoryCatalogState();
  const io = new MemoryFileIO();
  const { catalog: one } = await setup(state, io);
  const { catalog: two } = await setup(state, io);
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      commitChange(i % 2 === 0 ? one : two, io, id, { addedFiles: [file(`f${i}`, i + 1)] }, { retry: { maxAttempts: 20, minBackoffMs: 1, maxBackoffMs: 5 } }),
    ),
  );
  const final = await one.loadTable(id);
  assert.equal(final.metadata.snapshots.length, 6);
  assert.equal((await liveFiles(io, final.metadata)).data.length, 6);
  const seqs = results.map((r) => r.snapshot.sequenceNumber).sort((a, b) => a - b);
  assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6]);
  const total = final.metadata.snapshots.find((s) => s.snapshotId === final.metadata.currentSnapshotId)!.summary['total-records'];
  assert.equal(total, String(1 + 2 + 3 + 4 + 5 + 6));
});

test('schema updates and properties commit and are found again after a lost race', async () => {
  const { catalog } = await setup();
  const t = await updateSchema(catalog, id, [{ kind: 'add-column', name: 'note', type: { type: 'string' } }, { kind: 'update-column-type', name: 'v', type: { type: 'long' } }]);
  const s = currentSchema(t.metadata);
  assert.equal(s.schemaId, 1);
  assert.deepEqual(s.fields.map((f) => [f.id, f.name, f.type.type]), [[1, 'id', 'long'], [2, 'v', 'long'], [3, 'note', 'string']]);
  const p = await updateProperties(catalog, id, { 'floe.pk': 'id' });
  assert.equal(p.metadata.properties['floe.pk'], 'id');
});

test('operation names follow what the change does', () => {
  assert.equal(deriveOperation({ addedFiles: [file('a', 1)] }), 'append');
  assert.equal(deriveOperation({ addedFiles: [], removedFiles: [file('a', 1)] }), 'delete');
  assert.equal(deriveOperation({ addedFiles: [file('d', 1, FileContent.PositionDeletes)] }), 'overwrite');
});

test('work staged on a branch is invisible on main until published in one step', async () => {
  const { catalog, io } = await setup();
  const { publishBranch } = await import('./table-updates.ts');
  const before = await commitChange(catalog, io, id, { addedFiles: [file('m', 1)] });
  await commitChange(catalog, io, id, { addedFiles: [file('s1', 2)], branch: 'floe-load' });
  const staged = await commitChange(catalog, io, id, { addedFiles: [file('s2', 3)], branch: 'floe-load' });
  assert.equal(staged.table.metadata.currentSnapshotId, before.snapshot.snapshotId, 'main has not moved');
  assert.equal((await liveFiles(io, staged.table.metadata)).data.length, 1);
  assert.equal(staged.snapshot.summary['total-records'], '6');
  const published = await publishBranch(catalog, id, 'floe-load', before.snapshot.snapshotId);
  assert.equal(published.metadata.currentSnapshotId, staged.snapshot.snapshotId);
  assert.equal(published.metadata.refs['floe-load'], undefined);
  assert.equal((await liveFiles(io, published.metadata)).data.length, 3);
  await commitChange(catalog, io, id, { addedFiles: [file('s3', 1)], branch: 'other' });
  await commitChange(catalog, io, id, { addedFiles: [file('m2', 1)] });
  await assert.rejects(publishBranch(catalog, id, 'other', published.metadata.currentSnapshotId, { retry: { maxAttempts: 2, minBackoffMs: 1, maxBackoffMs: 2 } }), /main/);
});

test('a known base saves the first load; a stale one costs one attempt, without backoff, and lands on the fresh table', async () => {
  const { catalog, io } = await setup();
  let loads = 0;
  const load = catalog.loadTable.bind(catalog);
  catalog.loadTable = async (t) => ((loads += 1), load(t));
  const first = await commitChange(catalog, io, id, { addedFiles: [file('a', 1)] });
  const loadsWithout = loads;
  loads = 0;
  const second = await commitChange(catalog, io, id, { addedFiles: [file('b', 2)] }, { base: first.table });
  assert.equal(loads, loadsWithout - 1, 'the first attempt did not load the table');
  assert.equal(second.snapshot.parentSnapshotId, first.snapshot.snapshotId);
  // another writer moves the table: `second.table` is now stale
  const other = await commitChange(catalog, io, id, { addedFiles: [file('c', 3)] });
  const started = performance.now();
  const third = await commitChange(catalog, io, id, { addedFiles: [file('d', 4)] }, { base: second.table, retry: { maxAttempts: 2, minBackoffMs: 5_000, maxBackoffMs: 5_000 } });
  assert.ok(performance.now() - started < 2_000, 'no backoff after a stale base');
  assert.equal(third.snapshot.parentSnapshotId, other.snapshot.snapshotId);
  const final = await catalog.loadTable(id);
  assert.deepEqual((await liveFiles(io, final.metadata)).data.map((e) => e.dataFile.filePath.split('/').pop()).sort(), ['a.parquet', 'b.parquet', 'c.parquet', 'd.parquet']);
  assert.equal(final.metadata.snapshots.find((s) => s.snapshotId === final.metadata.currentSnapshotId)!.summary['total-records'], '10');
});
