/** Shared by the apply tests: an in-memory table, change builders, and an index-vs-table check. */
import assert from 'node:assert/strict';
import { MemoryCatalog } from '../../catalog/memory/memory-catalog.ts';
import type { Change } from '../../core/change.ts';
import { MemoryFileIO } from '../../io/memory-file-io.ts';
import type { Schema, TableIdentifier, TableMetadata } from '../../iceberg/spec/types.ts';
import { currentSchema, currentSnapshot } from '../../iceberg/table/metadata-access.ts';
import { scanRowsWithPositions } from '../../iceberg/table/scan.ts';
import { identityOf, idString, rowIdentity } from './key-encoding.ts';
import { KeyIndex } from './key-index.ts';

/** id long key, v string. */
export const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [1],
  fields: [
    { id: 1, name: 'id', required: true, type: { type: 'long' } },
    { id: 2, name: 'v', required: false, type: { type: 'string' } },
  ],
};

/** An empty table `db.<name>` in a fresh memory catalog, and its index path under `dir`. */
export async function setupTable(dir: string, name: string, s: Schema = schema) {
  const io = new MemoryFileIO();
  const catalog = new MemoryCatalog({ io });
  await catalog.createNamespace(['db']);
  const id: TableIdentifier = { namespace: ['db'], name };
  await catalog.createTable(id, { schema: s });
  return { io, catalog, id, indexPath: `${dir}/${name}.sqlite` };
}

export const up = (id: bigint, v: string): Change => ({ table: 't', op: 'upsert', key: { id }, after: { id, v }, before: null, unchanged: [], position: {} });
export const del = (id: bigint): Change => ({ table: 't', op: 'delete', key: { id }, after: null, before: null, unchanged: [], position: {} });
export const truncate: Change = { table: 't', op: 'truncate', key: null, after: null, before: null, unchanged: [], position: {} };

/** Asserts the index at `indexPath` holds exactly the live rows of the table, at their positions. */
export async function assertIndexMatches(io: MemoryFileIO, metadata: TableMetadata, indexPath: string): Promise<void> {
  const identity = rowIdentity(currentSchema(metadata));
  const index = KeyIndex.open(indexPath, identity, metadata.tableUuid);
  try {
    assert.equal(index.snapshotId, currentSnapshot(metadata)?.snapshotId ?? null);
    let live = 0;
    for await (const batch of scanRowsWithPositions(io, metadata)) {
      for (const { row, position } of batch) {
        live += 1;
        const id = identityOf(identity, row, 't');
        const found = index.lookup([id]).get(idString(id)) ?? [];
        assert.ok(found.some((p) => p.dataFile.filePath === position.dataFile.filePath && p.pos === position.pos), `row ${String(row.id)} at ${position.pos} not indexed`);
      }
    }
    assert.equal(index.size(), live);
  } finally {
    index.close();
  }
}
