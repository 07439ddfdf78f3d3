/**
 * Metadata files across commits (MetastoreCatalog.commitTable): metadata-log keeps
 * write.metadata.previous-versions-max entries, and with write.metadata.delete-after-commit.enabled
 * the files that fall out of it are deleted, so a table committed every few seconds keeps a
 * bounded metadata directory; without the property every file stays, as in Java.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import type { TableIdentifier } from '../iceberg/spec/types.ts';
import { MemoryCatalog } from './memory/memory-catalog.ts';

async function commitTimes(properties: Record<string, string>, commits: number): Promise<{ files: string[]; log: string[]; current: string }> {
  const io = new MemoryFileIO();
  const catalog = new MemoryCatalog({ io });
  await catalog.createNamespace(['db']);
  const id: TableIdentifier = { namespace: ['db'], name: 't' };
  await catalog.createTable(id, { schema: { schemaId: 0, identifierFieldIds: [], fields: [{ id: 1, name: 'id', required: true, type: { type: 'long' } }] }, properties });
  for (let i = 0; i < commits; i++) await catalog.commitTable(id, [], [{ action: 'set-properties', updates: { n: String(i) } }]);
  const table = await catalog.loadTable(id);
  return { files: io.list().filter((p) => p.endsWith('.metadata.json')), log: table.metadata.metadataLog.map((e) => e.metadataFile), current: table.metadataLocation };
}

test('with delete-after-commit, only the current metadata file and the previous-versions-max in metadata-log stay', async () => {
  const { files, log, current } = await commitTimes({ 'write.metadata.delete-after-commit.enabled': 'true', 'write.metadata.previous-versions-max': '3' }, 8);
  assert.equal(log.length, 3);
  assert.deepEqual(files, [...log, current].sort());
});

test('without it, every metadata file stays (metadata-log still keeps previous-versions-max)', async () => {
  const { files, log } = await commitTimes({ 'write.metadata.previous-versions-max': '3' }, 8);
  assert.equal(log.length, 3);
  assert.equal(files.length, 9, 'the create and 8 commits');
});
