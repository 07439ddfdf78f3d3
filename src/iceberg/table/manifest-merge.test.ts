/**
 * Manifest merging through the snapshot producer: the same appends, row deltas and file
 * removals on a table that merges (min-count lowered by property) and one that does not must
 * read the same rows, with the same totals, while the merging table's manifest list stays short
 * and every merged entry keeps the sequence numbers and snapshot id it was added with.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCatalog, MemoryCatalogState } from '../../catalog/memory/memory-catalog.ts';
import { MemoryFileIO } from '../../io/memory-file-io.ts';
import { readManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import { EntryStatus, type Row, type Schema, type TableIdentifier, type TableMetadata } from '../spec/types.ts';
import { currentSnapshot } from './metadata-access.ts';
import { readAllRows, scanRowsWithPositions, type LocatedRow } from './scan.ts';
import { liveFiles } from './scan-planner.ts';
import { commitChange, type CommittedSnapshot } from './snapshot-producer.ts';
import { appendRows, deleteRowsAt } from './table-writer.ts';

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [1],
  fields: [
    { id: 1, name: 'id', required: true, type: { type: 'long' } },
    { id: 2, name: 'v', required: false, type: { type: 'int' } },
  ],
};

interface Run {
  readonly metadata: TableMetadata;
  readonly io: MemoryFileIO;
  /** data file path -> the snapshot that added it (its id and sequence number) */
  readonly addedBy: Map<string, { snapshotId: bigint; sequenceNumber: number }>;
  /** manifest list length after each commit */
  readonly listLengths: number[];
  readonly expected: Map<bigint, number>;
}

async function located(io: MemoryFileIO, metadata: TableMetadata): Promise<LocatedRow[]> {
  const out: LocatedRow[] = [];
  for await (const batch of scanRowsWithPositions(io, metadata)) out.push(...batch);
  return out;
}

/** 20 rounds of: append 5 rows; update one old row and delete another (a row delta); every 7th round drop a whole data file. */
async function run(properties: Record<string, string>): Promise<Run> {
  const io = new MemoryFileIO();
  const catalog = new MemoryCatalog({ state: new MemoryCatalogState(), io });
  const id: TableIdentifier = { namespace: ['db'], name: 't' };
  await catalog.createNamespace(['db']);
  await catalog.createTable(id, { schema, properties });
  const addedBy = new Map<string, { snapshotId: bigint; sequenceNumber: number }>();
  const listLengths: number[] = [];
  const expected = new Map<bigint, number>();
  const note = async (c: CommittedSnapshot, addedFiles: readonly string[]): Promise<TableMetadata> => {
    for (const path of addedFiles) addedBy.set(path, { snapshotId: c.snapshot.snapshotId, sequenceNumber: c.snapshot.sequenceNumber });
    listLengths.push((await readManifestList(io, c.snapshot.manifestList)).length);
    return c.table.metadata;
  };
  const newFiles = async (before: TableMetadata, after: TableMetadata): Promise<string[]> => {
    const paths = async (m: TableMetadata) => {
      const files = await liveFiles(io, m);
      return [...files.data, ...files.deletes].map((e) => e.dataFile.filePath);
    };
    const old = new Set(await paths(before));
    return (await paths(after)).filter((p) => !old.has(p));
  };
  let metadata = (await catalog.loadTable(id)).metadata;
  let next = 0n;
  for (let round = 0; round < 20; round++) {
    const rows: Row[] = Array.from({ length: 5 }, () => ({ id: next, v: Number(next++) }));
    for (const r of rows) expected.set(r['id'] as bigint, r['v'] as number);
    const appended = await appendRows(catalog, io, id, rows);
    metadata = await note(appended, await newFiles(metadata, appended.table.metadata));

    const live = await located(io, metadata);
    const update = live[(round * 7) % live.length]!;
    const victim = live[(round * 11 + 3) % live.length]!;
    const updated: Row = { id: update.row['id']!, v: 1000 + round };
    const positions = update === victim ? [update.position] : [update.position, victim.position];
    expected.delete(victim.row['id'] as bigint);
    expected.set(updated['id'] as bigint, updated['v'] as number);
    const delta = await deleteRowsAt(catalog, io, id, positions, [updated]);
    metadata = await note(delta, await newFiles(metadata, delta.table.metadata));

    if (round % 7 === 6) {
      // Drop the data file of some live row: the carried manifest is rewritten with a DELETED entry.
      const rowsNow = await located(io, metadata);
      const dropped = rowsNow[round % rowsNow.length]!.position.dataFile;
      for (const r of rowsNow) if (r.position.dataFile.filePath === dropped.filePath) expected.delete(r.row['id'] as bigint);
      const removal = await commitChange(catalog, io, id, { addedFiles: [], removedFiles: [dropped] });
      metadata = await note(removal, []);
    }
  }
  return { metadata, io, addedBy, listLengths, expected };
}

function rowsById(rows: readonly Row[]): [bigint, number][] {
  return rows.map((r): [bigint, number] => [r['id'] as bigint, r['v'] as number]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

const TOTALS = ['total-records', 'total-data-files', 'total-delete-files', 'total-position-deletes', 'total-files-size'];

test('merged manifests keep rows, deletes, totals and sequence numbers exact while the list stays bounded', async () => {
  const merged = await run({ 'commit.manifest.min-count-to-merge': '4' });
  const plain = await run({ 'commit.manifest-merge.enabled': 'false' });
  const model = (r: Run) => [...r.expected].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

  assert.deepEqual(rowsById(await readAllRows(merged.io, merged.metadata)), model(merged), 'merged table reads exactly the expected rows');
  assert.deepEqual(rowsById(await readAllRows(plain.io, plain.metadata)), model(plain), 'unmerged table reads exactly the expected rows');
  assert.deepEqual(model(merged), model(plain), 'both tables saw the same changes (rows are located in the same order)');

  // Without merging the list grows with every commit; with min-count 4 it stays within a data
  // and a delete group of at most 4 each.
  assert.ok(plain.listLengths.at(-1)! > 40, `unmerged list has ${plain.listLengths.at(-1)} manifests`);
  assert.ok(Math.max(...merged.listLengths) <= 8, `merged lists: ${merged.listLengths.join(',')}`);

  const summaryOf = (m: TableMetadata) => currentSnapshot(m)!.summary;
  for (const key of TOTALS.slice(0, 4)) assert.equal(summaryOf(merged.metadata)[key], summaryOf(plain.metadata)[key], key);
  assert.equal(summaryOf(merged.metadata)['total-records'], String((await liveFiles(merged.io, merged.metadata)).data.reduce((n, e) => n + e.dataFile.recordCount, 0)));

  // Every live entry, merged or not, carries the snapshot and sequence numbers it was added with.
  const live = await liveFiles(merged.io, merged.metadata);
  for (const e of [...live.data, ...live.deletes]) {
    const origin = merged.addedBy.get(e.dataFile.filePath);
    assert.ok(origin !== undefined, `${e.dataFile.filePath} was added by a known commit`);
    assert.equal(e.sequenceNumber, origin.sequenceNumber, `data sequence number of ${e.dataFile.filePath}`);
    assert.equal(e.fileSequenceNumber, origin.sequenceNumber, `file sequence number of ${e.dataFile.filePath}`);
    assert.equal(e.snapshotId, origin.snapshotId, `snapshot id of ${e.dataFile.filePath}`);
  }

  // Merged manifests were written, hold EXISTING entries, and carry no DELETED entry of an older snapshot.
  const current = currentSnapshot(merged.metadata)!;
  let existing = 0;
  for (const manifest of await readManifestList(merged.io, current.manifestList)) {
    for (const e of await readManifest(merged.io, manifest)) {
      if (e.status === EntryStatus.Existing) existing++;
      if (e.status === EntryStatus.Deleted) assert.equal(e.snapshotId, current.snapshotId, 'DELETED entries of earlier snapshots are dropped');
    }
  }
  assert.ok(existing > 0, 'some entries were merged into a manifest as EXISTING');
});
