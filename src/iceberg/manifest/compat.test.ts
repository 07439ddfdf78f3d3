/** Reading files shaped by other and older writers; unpartitioned and large manifests. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryFileIO } from '../../io/memory-file-io.ts';
import { optionalField, record, requiredField } from '../avro/avro-schema.ts';
import { encodeAvroFile } from '../avro/container.ts';
import { EntryStatus, FileContent, ManifestContent } from '../spec/types.ts';
import type { ManifestEntry, Schema } from '../spec/types.ts';
import { readManifestList, writeManifestList } from './manifest-list.ts';
import { readManifest } from './manifest-reader.ts';
import { writeManifest } from './manifest-writer.ts';

test('a v1 manifest list with old field names and no v2 fields reads by field id', async () => {
  // Early Java v1 lists: `added_data_files_count`, counts optional, no content or sequence numbers.
  const v1 = record('manifest_file', [
    requiredField('manifest_path', 500, 'string'),
    requiredField('manifest_length', 501, 'long'),
    requiredField('partition_spec_id', 502, 'int'),
    requiredField('added_snapshot_id', 503, 'long'),
    optionalField('added_data_files_count', 504, 'int'),
    optionalField('existing_data_files_count', 505, 'int'),
    optionalField('deleted_data_files_count', 506, 'int'),
    optionalField('partitions', 507, { type: 'array', 'element-id': 508, items: record('r508', [requiredField('contains_null', 509, 'boolean')]) }),
  ]);
  const io = new MemoryFileIO();
  const rows = [
    { manifest_path: 'memory://m.avro', manifest_length: 10n, partition_spec_id: 0, added_snapshot_id: 2n ** 63n - 1n, added_data_files_count: 3, existing_data_files_count: null, deleted_data_files_count: 1, partitions: [{ contains_null: true }] },
  ];
  await io.write('memory://v1-list.avro', encodeAvroFile(v1, rows, { 'format-version': '1' }));
  const [m] = await readManifestList(io, 'memory://v1-list.avro');
  assert.deepEqual(m, {
    manifestPath: 'memory://m.avro',
    manifestLength: 10,
    partitionSpecId: 0,
    content: ManifestContent.Data,
    sequenceNumber: 0,
    minSequenceNumber: 0,
    addedSnapshotId: 2n ** 63n - 1n,
    addedFilesCount: 3,
    existingFilesCount: 0,
    deletedFilesCount: 1,
    addedRowsCount: 0,
    existingRowsCount: 0,
    deletedRowsCount: 0,
    partitions: [{ containsNull: true }],
  });
});

const schema: Schema = { schemaId: 0, identifierFieldIds: [], fields: [{ id: 1, name: 'id', required: true, type: { type: 'long' } }] };
const unpartitioned = { specId: 0, fields: [] };

function entry(i: number): ManifestEntry {
  return {
    status: EntryStatus.Added,
    snapshotId: null,
    sequenceNumber: null,
    fileSequenceNumber: null,
    dataFile: {
      content: FileContent.Data,
      filePath: `s3://bucket/warehouse/db/t/data/00000-${i}-0b6a1c3e-5d1f-4b8e-9f2a-${String(i).padStart(12, '0')}.parquet`,
      fileFormat: 'PARQUET',
      specId: 0,
      partition: [],
      recordCount: 1_000_000 + i,
      fileSizeInBytes: 100_000_000 + i,
      columnSizes: new Map([[1, 8_000_000]]),
      valueCounts: new Map([[1, 1_000_000]]),
      nullValueCounts: new Map([[1, 0]]),
      lowerBounds: new Map([[1, new Uint8Array(8)]]),
      upperBounds: new Map([[1, new Uint8Array(8).fill(255)]]),
    },
  };
}

test('unpartitioned manifest with 10k entries round trips (empty partition struct)', async () => {
  const io = new MemoryFileIO();
  const entries = Array.from({ length: 10_000 }, (_, i) => entry(i));
  const m = await writeManifest(io, 'memory://big.avro', { schema, spec: unpartitioned, content: ManifestContent.Data, snapshotId: 1n, entries });
  assert.deepEqual(m.partitions, []);
  assert.equal(m.addedRowsCount, entries.reduce((s, e) => s + e.dataFile.recordCount, 0));
  await writeManifestList(io, 'memory://list.avro', { snapshotId: 1n, parentSnapshotId: null, sequenceNumber: 1, manifests: [m] });
  const [listed] = await readManifestList(io, 'memory://list.avro');
  const back = await readManifest(io, listed as never);
  assert.equal(back.length, 10_000);
  assert.deepEqual(back[9_999]?.dataFile, entries[9_999]?.dataFile);
  assert.equal(back[0]?.sequenceNumber, 1);
});
