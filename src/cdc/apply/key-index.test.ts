import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Change } from '../../core/change.ts';
import { CorruptFileError } from '../../core/errors.ts';
import { FileContent, type DataFile, type Row, type Schema } from '../../iceberg/spec/types.ts';
import { currentSchema, currentSnapshot } from '../../iceberg/table/metadata-access.ts';
import { readAllRows } from '../../iceberg/table/scan.ts';
import { commitChange } from '../../iceberg/table/snapshot-producer.ts';
import { appendRows, writeRows } from '../../iceberg/table/table-writer.ts';
import { liveFiles } from '../../iceberg/table/scan-planner.ts';
import { openTableApplier } from './apply-batch.ts';
import { assertIndexMatches, del, setupTable, up } from './apply-test-support.ts';
import { encodeKey, identityOf, idString, rowIdentity } from './key-encoding.ts';
import { KeyIndex, type IndexUpdate } from './key-index.ts';
import { syncKeyIndex } from './key-index-sync.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floe-key-index-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const setup = (name: string) => setupTable(dir, name);

test('crash between commit and index update: reopening catches up to the right positions', async () => {
  const t = await setup('crash');
  let applier = await openTableApplier(t);
  assert.equal(applier.opened.mode, 'rebuilt'); // no index file yet
  await applier.apply([up(1n, 'a'), up(2n, 'b'), up(3n, 'c')]);
  await assert.rejects(
    applier.apply([up(2n, 'B'), del(3n), up(4n, 'd')], {
      beforeIndexUpdate: () => {
        throw new Error('simulated crash');
      },
    }),
    /simulated crash/,
  );
  await applier.close();
  applier = await openTableApplier(t);
  assert.deepEqual(applier.opened.mode, 'caught-up');
  await applier.apply([up(2n, 'BB'), up(1n, 'AA')]);
  await applier.close();
  const table = await t.catalog.loadTable(t.id);
  const rows = (await readAllRows(t.io, table.metadata)).map((r) => `${r.id}=${r.v}`).sort();
  assert.deepEqual(rows, ['1=AA', '2=BB', '4=d']);
  await assertIndexMatches(t.io, table.metadata, t.indexPath);
});

test('a crash after a truncate commit catches up by clearing the index', async () => {
  const t = await setup('crash-truncate');
  let applier = await openTableApplier(t);
  await applier.apply([up(1n, 'a'), up(2n, 'b')]);
  const truncate: Change = { table: 't', op: 'truncate', key: null, after: null, before: null, unchanged: [], position: {} };
  await assert.rejects(applier.apply([up(1n, 'x'), truncate, up(5n, 'e')], { beforeIndexUpdate: () => Promise.reject(new Error('crash')) }));
  await applier.close();
  applier = await openTableApplier(t);
  assert.equal(applier.opened.mode, 'caught-up');
  await applier.close();
  const table = await t.catalog.loadTable(t.id);
  assert.deepEqual((await readAllRows(t.io, table.metadata)).map((r) => r.id), [5n]);
  await assertIndexMatches(t.io, table.metadata, t.indexPath);
});

test('another writer appends: catch-up; another writer rewrites files: rebuild', async () => {
  const t = await setup('foreign');
  let applier = await openTableApplier(t);
  await applier.apply([up(1n, 'a'), up(2n, 'b')]);
  await applier.close();
  await appendRows(t.catalog, t.io, t.id, [{ id: 10n, v: 'x' }]);
  applier = await openTableApplier(t);
  assert.equal(applier.opened.mode, 'caught-up');
  await applier.close();
  let table = await t.catalog.loadTable(t.id);
  await assertIndexMatches(t.io, table.metadata, t.indexPath);

  // compaction: replace one of the data files by a rewritten copy (some files stay)
  const live = await liveFiles(t.io, table.metadata);
  const victim = live.data.find((e) => e.dataFile.recordCount === 1)!.dataFile;
  const rewritten = await writeRows(t.io, table.metadata, [{ id: 10n, v: 'x' }]);
  await commitChange(t.catalog, t.io, t.id, { addedFiles: rewritten, removedFiles: [victim], operation: 'replace' });
  applier = await openTableApplier(t);
  assert.equal(applier.opened.mode, 'rebuilt');
  await applier.apply([up(10n, 'y'), del(1n)]);
  await applier.close();
  table = await t.catalog.loadTable(t.id);
  assert.deepEqual((await readAllRows(t.io, table.metadata)).map((r) => `${r.id}=${r.v}`).sort(), ['10=y', '2=b']);
  await assertIndexMatches(t.io, table.metadata, t.indexPath);
});

test('stale or foreign index: unknown snapshot, another table uuid, off-history snapshot → rebuild', async () => {
  const t = await setup('stale');
  const applier = await openTableApplier(t);
  await applier.apply([up(1n, 'a')]);
  await applier.close();
  const table = await t.catalog.loadTable(t.id);
  const identity = rowIdentity(currentSchema(table.metadata));

  let index = KeyIndex.open(t.indexPath, identity, table.metadata.tableUuid);
  index.invalidate();
  assert.equal((await syncKeyIndex(t.io, table.metadata, index, identity, 't')).mode, 'rebuilt');
  index.close();

  index = KeyIndex.open(t.indexPath, identity, '00000000-0000-0000-0000-000000000000');
  assert.equal(index.snapshotId, undefined); // another table's index is emptied
  index.close();

  index = KeyIndex.open(t.indexPath, identity, table.metadata.tableUuid);
  assert.equal((await syncKeyIndex(t.io, table.metadata, index, identity, 't')).mode, 'rebuilt');
  index.apply({ fromSnapshotId: index.snapshotId ?? null, toSnapshotId: 424242n, removed: [], added: [] }); // a snapshot not in the table
  const r = await syncKeyIndex(t.io, table.metadata, index, identity, 't');
  assert.equal(r.mode, 'rebuilt');
  assert.match(r.mode === 'rebuilt' ? r.reason : '', /not an ancestor/);
  index.close();
  await assertIndexMatches(t.io, table.metadata, t.indexPath);
});

test('index updates check the snapshot they start from and refuse duplicate keys atomically', async () => {
  const t = await setup('guards');
  const table = await t.catalog.loadTable(t.id);
  const identity = rowIdentity(currentSchema(table.metadata));
  const index = KeyIndex.open(t.indexPath, identity, table.metadata.tableUuid);
  await syncKeyIndex(t.io, table.metadata, index, identity, 't');
  assert.throws(() => index.apply({ fromSnapshotId: 7n, toSnapshotId: 8n, removed: [], added: [] }), /at snapshot null, update expects 7/);
  const [file] = await writeRows(t.io, table.metadata, [{ id: 1n, v: 'a' }, { id: 1n, v: 'b' }]);
  const id = identityOf(identity, { id: 1n } as Row, 't');
  assert.throws(() => index.apply({ fromSnapshotId: null, toSnapshotId: 1n, removed: [], added: [{ id, dataFile: file!, pos: 0 }, { id, dataFile: file!, pos: 1 }] }), /two live rows share one key/);
  assert.equal(index.snapshotId, null); // rolled back
  assert.equal(index.size(), 0);
  index.close();
});

test('a concurrent writer moves the table between plan and commit: the batch is re-planned on the new base', async () => {
  const t = await setup('race');
  const applier = await openTableApplier(t);
  await applier.apply([up(1n, 'a')]);
  // another writer appends key 2 after our last look at the table
  await appendRows(t.catalog, t.io, t.id, [{ id: 2n, v: 'theirs' }]);
  const result = await applier.apply([up(2n, 'ours'), up(1n, 'A')]);
  await applier.close();
  assert.equal(result.replans, 1);
  const table = await t.catalog.loadTable(t.id);
  assert.deepEqual((await readAllRows(t.io, table.metadata)).map((r) => `${r.id}=${r.v}`).sort(), ['1=A', '2=ours']);
  await assertIndexMatches(t.io, table.metadata, t.indexPath);
});

test('a batch with no effect still commits its checkpoint keys; with no keys it commits nothing', async () => {
  const t = await setup('empty');
  const applier = await openTableApplier(t);
  assert.equal((await applier.apply([del(9n)])).snapshot, null);
  const r = await applier.apply([del(9n)], { summary: { 'floe.source.position': '{"lsn":"5"}' } });
  await applier.close();
  assert.notEqual(r.snapshot, null);
  const table = await t.catalog.loadTable(t.id);
  assert.equal(currentSnapshot(table.metadata)?.summary['floe.source.position'], '{"lsn":"5"}');
  await assertIndexMatches(t.io, table.metadata, t.indexPath);
});

test('updates move keys in place, a stale old position is not trusted, and lookups past one chunk find every key', async () => {
  const t = await setup('moves');
  const table = await t.catalog.loadTable(t.id);
  const identity = rowIdentity(currentSchema(table.metadata));
  const index = KeyIndex.open(t.indexPath, identity, table.metadata.tableUuid);
  await syncKeyIndex(t.io, table.metadata, index, identity, 't');
  const rows = Array.from({ length: 150 }, (_, i) => ({ id: BigInt(i), v: 'a' }) as Row);
  const [f1] = await writeRows(t.io, table.metadata, rows);
  const [f2] = await writeRows(t.io, table.metadata, rows);
  const key = (i: number): Uint8Array => identityOf(identity, { id: BigInt(i) } as Row, 't');
  index.apply({ fromSnapshotId: null, toSnapshotId: 1n, removed: [], added: rows.map((_, i) => ({ id: key(i), dataFile: f1!, pos: i })) });
  // keys 0..99 move to f2 (an update each), 100..119 are deleted, 120..149 stay
  const moved = Array.from({ length: 100 }, (_, i) => i);
  index.apply({
    fromSnapshotId: 1n,
    toSnapshotId: 2n,
    removed: [...moved, ...Array.from({ length: 20 }, (_, i) => 100 + i)].map((i) => ({ id: key(i), filePath: f1!.filePath, pos: i })),
    added: moved.map((i) => ({ id: key(i), dataFile: f2!, pos: 149 - i })),
  });
  const found = index.lookup([...Array.from({ length: 150 }, (_, i) => key(i)), key(999)]);
  assert.equal(found.size, 130);
  for (let i = 0; i < 150; i += 1) {
    const at = found.get(idString(key(i)));
    if (i < 100) assert.deepEqual(at?.map((p) => [p.dataFile.filePath, p.pos]), [[f2!.filePath, 149 - i]]);
    else if (i < 120) assert.equal(at, undefined);
    else assert.deepEqual(at?.map((p) => [p.dataFile.filePath, p.pos]), [[f1!.filePath, i]]);
  }
  // an update naming a position the key is not at must not move it: the insert finds the live row
  assert.throws(
    () => index.apply({ fromSnapshotId: 2n, toSnapshotId: 3n, removed: [{ id: key(120), filePath: f1!.filePath, pos: 7 }], added: [{ id: key(120), dataFile: f2!, pos: 0 }] }),
    /two live rows share one key/,
  );
  assert.equal(index.snapshotId, 2n);
  assert.equal(index.size(), 130);
  index.close();
});

// Chunked writes (key-index-writes.ts): stand-in data files, the index alone.
const longKey: Schema = { schemaId: 0, identifierFieldIds: [1], fields: [{ id: 1, name: 'id', required: true, type: { type: 'long' } }] };
const keyed = rowIdentity(longKey);
const keyless = rowIdentity({ ...longKey, identifierFieldIds: [] });
const dataFile = (name: string): DataFile => ({ content: FileContent.Data, filePath: `/data/${name}.parquet`, fileFormat: 'PARQUET', specId: 0, partition: [], recordCount: 1000, fileSizeInBytes: 1 });
const [f1, f2, f3] = [dataFile('f1'), dataFile('f2'), dataFile('f3')];
const key = (i: number): Uint8Array => encodeKey(keyed, { id: BigInt(i) } as Row, 't');
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const at = (file: DataFile, pos: number) => ({ filePath: file.filePath, pos });
let indexes = 0;
/** A fresh index at snapshot 1 holding `keys` at f1, position = key. */
function indexWith(keys: readonly number[], identity = keyed): KeyIndex {
  const index = KeyIndex.open(join(dir, `chunks-${(indexes += 1)}.sqlite`), identity, 'uuid');
  index.apply({ fromSnapshotId: null, toSnapshotId: 1n, clear: true, removed: [], added: keys.map((i) => ({ id: key(i), dataFile: f1, pos: i })) });
  return index;
}
/** Where each of `keys` is, as [path, pos] lists (empty: absent). */
const positionsOf = (index: KeyIndex, keys: readonly number[]): [string, number][][] => {
  const found = index.lookup(keys.map(key));
  return keys.map((i) => (found.get(idString(key(i))) ?? []).map((p): [string, number] => [p.dataFile.filePath, p.pos]).sort());
};

for (const n of [0, 1, 63, 64, 65, 200]) {
  test(`chunked writes of ${n} moves, removes and inserts land as one row at a time would`, () => {
    // keys [0, n) move, [n, 2n) are removed, [2n, 3n) stay, [3n, 4n) are new
    const index = indexWith(range(0, 3 * n));
    index.apply({
      fromSnapshotId: 1n,
      toSnapshotId: 2n,
      removed: range(0, 2 * n).map((i) => ({ id: key(i), ...at(f1, i) })),
      added: [...range(0, n).map((i) => ({ id: key(i), dataFile: f2, pos: n - 1 - i })), ...range(3 * n, 4 * n).map((i) => ({ id: key(i), dataFile: f2, pos: i }))],
    });
    assert.equal(index.snapshotId, 2n);
    assert.equal(index.size(), 3 * n);
    assert.deepEqual(positionsOf(index, range(0, 4 * n)), [
      ...range(0, n).map((i) => [[f2.filePath, n - 1 - i]]),
      ...range(n, 2 * n).map(() => []),
      ...range(2 * n, 3 * n).map((i) => [[f1.filePath, i]]),
      ...range(3 * n, 4 * n).map((i) => [[f2.filePath, i]]),
    ]);
    index.close();
  });

  test(`keyless: ${n} removes and ${n} inserts in chunks, a row added twice kept twice`, () => {
    const index = indexWith(range(0, 2 * n), keyless);
    index.apply({
      fromSnapshotId: 1n,
      toSnapshotId: 2n,
      removed: range(0, n).map((i) => ({ id: key(i), ...at(f1, i) })),
      added: range(n, 2 * n).map((i) => ({ id: key(i), dataFile: f2, pos: i })),
    });
    assert.equal(index.size(), 2 * n);
    assert.deepEqual(positionsOf(index, range(0, 2 * n)), [
      ...range(0, n).map(() => []),
      ...range(n, 2 * n).map((i) => [[f1.filePath, i], [f2.filePath, i]]),
    ]);
    index.close();
  });

  test(`a rebuild adds ${n} entries in chunks`, () => {
    const index = KeyIndex.open(join(dir, `rebuild-${n}.sqlite`), keyed, 'uuid');
    index.startRebuild();
    index.addDuringRebuild(range(0, n).map((i) => ({ id: key(i), dataFile: i % 2 === 0 ? f1 : f2, pos: i })));
    index.finishRebuild(5n);
    assert.equal(index.size(), n);
    assert.deepEqual(positionsOf(index, range(0, n)), range(0, n).map((i) => [[(i % 2 === 0 ? f1 : f2).filePath, i]]));
    index.close();
  });
}

test('a moved key absent from the index falls back to an insert; the rest of its chunk and the next update still apply', () => {
  const index = indexWith(range(0, 100).filter((i) => i !== 30));
  index.applyAll([
    {
      fromSnapshotId: 1n,
      toSnapshotId: 2n,
      removed: range(0, 70).map((i) => ({ id: key(i), ...at(f1, i) })),
      added: range(0, 70).map((i) => ({ id: key(i), dataFile: f2, pos: i })),
    },
    { fromSnapshotId: 2n, toSnapshotId: 3n, removed: [{ id: key(80), ...at(f1, 80) }], added: range(200, 265).map((i) => ({ id: key(i), dataFile: f3, pos: i })) },
  ]);
  assert.equal(index.snapshotId, 3n);
  assert.equal(index.size(), 100 - 1 + 65);
  assert.deepEqual(positionsOf(index, [0, 30, 69, 70, 80, 99, 200, 264]), [
    [[f2.filePath, 0]],
    [[f2.filePath, 30]],
    [[f2.filePath, 69]],
    [[f1.filePath, 70]],
    [],
    [[f1.filePath, 99]],
    [[f3.filePath, 200]],
    [[f3.filePath, 264]],
  ]);
  index.close();
});

test('removes that match nothing (another position, an unknown file, an absent key) are ignored', () => {
  const index = indexWith(range(0, 100));
  index.apply({
    fromSnapshotId: 1n,
    toSnapshotId: 2n,
    removed: [
      ...range(0, 65).map((i) => ({ id: key(i), ...at(f1, i) })),
      { id: key(70), ...at(f1, 71) },
      { id: key(71), ...at(f3, 71) },
      { id: key(500), ...at(f1, 500) },
    ],
    added: [],
  });
  assert.equal(index.snapshotId, 2n);
  assert.equal(index.size(), 35);
  assert.deepEqual(positionsOf(index, [64, 65, 70, 71]), [[], [[f1.filePath, 65]], [[f1.filePath, 70]], [[f1.filePath, 71]]]);
  index.close();
});

/** Applies `update` on `index` expecting CorruptFileError matching `message`, and nothing kept. */
function assertRefused(index: KeyIndex, update: Omit<IndexUpdate, 'fromSnapshotId' | 'toSnapshotId'>, message: RegExp): void {
  const before = positionsOf(index, range(0, 300));
  assert.throws(() => index.apply({ fromSnapshotId: 1n, toSnapshotId: 2n, ...update }), (error: unknown) => error instanceof CorruptFileError && message.test(error.message));
  assert.equal(index.snapshotId, 1n);
  assert.deepEqual(positionsOf(index, range(0, 300)), before);
}

test('a key not where its removal says, inside a full chunk, is refused naming its row; nothing is kept', () => {
  const index = indexWith(range(0, 200));
  assertRefused(
    index,
    {
      removed: range(0, 100).map((i) => ({ id: key(i), ...at(f1, i === 77 ? 999 : i) })),
      added: range(0, 100).map((i) => ({ id: key(i), dataFile: f2, pos: 1000 + i })),
    },
    new RegExp(`two live rows share one key \\(second at ${f2.filePath} position 1077\\)`),
  );
  index.close();
});

test('an added key present already, inside a full chunk of inserts, is refused naming its row; so is a key added twice', () => {
  const index = indexWith([1000]);
  const inserts = range(990, 1054).map((i) => ({ id: key(i), dataFile: f2, pos: i - 990 }));
  assertRefused(index, { removed: [], added: inserts }, new RegExp(`second at ${f2.filePath} position 10\\)`));
  const twice = [...range(0, 64).map((i) => ({ id: key(i), dataFile: f2, pos: i })), { id: key(5), dataFile: f3, pos: 7 }];
  assertRefused(index, { removed: [], added: twice }, new RegExp(`second at ${f3.filePath} position 7\\)`));
  index.close();
});

test('with several problems the error names the first in key order, as one row at a time does', () => {
  const index = indexWith([5, ...range(10, 80)]);
  // an insert of the present key 5, and key 60 not where its removal says: 5 comes first
  assertRefused(
    index,
    {
      removed: range(10, 80).map((i) => ({ id: key(i), ...at(f1, i === 60 ? 1 : i) })),
      added: [...range(10, 80).map((i) => ({ id: key(i), dataFile: f2, pos: i })), { id: key(5), dataFile: f3, pos: 3 }],
    },
    new RegExp(`second at ${f3.filePath} position 3\\)`),
  );
  index.close();
});
