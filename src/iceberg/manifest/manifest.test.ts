import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CorruptFileError, NotFoundError } from '../../core/errors.ts';
import { MemoryFileIO } from '../../io/memory-file-io.ts';
import { isObjectSchema, type AvroRecord } from '../avro/avro-schema.ts';
import { decodeAvroFile } from '../avro/container.ts';
import { fromSingleValue } from '../spec/single-value.ts';
import { EntryStatus, FileContent, ManifestContent } from '../spec/types.ts';
import type { DataFile, ManifestEntry, PartitionSpec, Schema } from '../spec/types.ts';
import { readManifestList, writeManifestList } from './manifest-list.ts';
import { readManifest } from './manifest-reader.ts';
import { UNASSIGNED_SEQUENCE_NUMBER, writeManifest } from './manifest-writer.ts';

const schema: Schema = {
  schemaId: 3,
  identifierFieldIds: [1],
  fields: [
    { id: 1, name: 'id', required: true, type: { type: 'long' } },
    { id: 2, name: 'ts', required: false, type: { type: 'timestamptz' } },
    { id: 3, name: 'score', required: false, type: { type: 'double' } },
    { id: 4, name: 'region', required: false, type: { type: 'string' } },
  ],
};

const spec: PartitionSpec = {
  specId: 1,
  fields: [
    { sourceId: 2, fieldId: 1000, name: 'ts_day', transform: 'day' },
    { sourceId: 3, fieldId: 1001, name: 'score', transform: 'identity' },
    { sourceId: 4, fieldId: 1002, name: 'region.bucket', transform: 'bucket[8]' },
  ],
};

const BIG_SNAPSHOT = 2n ** 62n + 12345n; // beyond 2^53: must survive exactly
const OLD_SNAPSHOT = 9_007_199_254_740_993n; // 2^53 + 1

function dataFile(name: string, partition: DataFile['partition'], extra: Partial<DataFile> = {}): DataFile {
  return {
    content: FileContent.Data,
    filePath: `memory://t/data/${name}.parquet`,
    fileFormat: 'PARQUET',
    specId: 1,
    partition,
    recordCount: 100,
    fileSizeInBytes: 4096,
    ...extra,
  };
}

const entries: ManifestEntry[] = [
  {
    status: EntryStatus.Added,
    snapshotId: null,
    sequenceNumber: null,
    fileSequenceNumber: null,
    dataFile: dataFile('a', [19_000, 1.5, 3], {
      columnSizes: new Map([[1, 800], [2, 1200]]),
      valueCounts: new Map([[1, 100]]),
      nullValueCounts: new Map([[1, 0]]),
      nanValueCounts: new Map([[3, 2]]),
      lowerBounds: new Map([[1, new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0])]]),
      upperBounds: new Map([[1, new Uint8Array([9, 0, 0, 0, 0, 0, 0, 0])]]),
      splitOffsets: [4],
      sortOrderId: 0,
    }),
  },
  { status: EntryStatus.Added, snapshotId: null, sequenceNumber: null, fileSequenceNumber: null, dataFile: dataFile('b', [null, Number.NaN, 0]) },
  { status: EntryStatus.Existing, snapshotId: OLD_SNAPSHOT, sequenceNumber: 4, fileSequenceNumber: 5, dataFile: dataFile('c', [-2, -0, 7], { recordCount: 7 }) },
  { status: EntryStatus.Deleted, snapshotId: null, sequenceNumber: 2, fileSequenceNumber: 2, dataFile: dataFile('d', [18_000, 99.25, null], { recordCount: 3 }) },
];

test('writeManifest returns counts, placeholders and partition summaries', async () => {
  const io = new MemoryFileIO();
  const m = await writeManifest(io, 'memory://t/metadata/m0.avro', { schema, spec, content: ManifestContent.Data, snapshotId: BIG_SNAPSHOT, entries });
  assert.equal(m.manifestLength, (await io.read('memory://t/metadata/m0.avro')).length);
  assert.deepEqual(
    [m.addedFilesCount, m.existingFilesCount, m.deletedFilesCount, m.addedRowsCount, m.existingRowsCount, m.deletedRowsCount],
    [2, 1, 1, 200, 7, 3],
  );
  assert.equal(m.sequenceNumber, UNASSIGNED_SEQUENCE_NUMBER);
  assert.equal(m.minSequenceNumber, 4, 'least explicit sequence number of live entries (the deleted 2 does not count)');
  assert.equal(m.addedSnapshotId, BIG_SNAPSHOT);
  const [day, score, bucket] = m.partitions ?? [];
  assert.deepEqual([day?.containsNull, day?.containsNan], [true, false]);
  assert.equal(fromSingleValue({ type: 'date' }, day?.lowerBound as Uint8Array), -2);
  assert.equal(fromSingleValue({ type: 'date' }, day?.upperBound as Uint8Array), 19_000);
  assert.deepEqual([score?.containsNull, score?.containsNan], [false, true]);
  assert.ok(Object.is(fromSingleValue({ type: 'double' }, score?.lowerBound as Uint8Array), -0), 'lower bound is -0.0, never +0.0');
  assert.equal(fromSingleValue({ type: 'double' }, score?.upperBound as Uint8Array), 99.25);
  assert.equal(fromSingleValue({ type: 'int' }, bucket?.upperBound as Uint8Array), 7);
});

test('manifest header and Avro schema carry what the spec requires', async () => {
  const io = new MemoryFileIO();
  await writeManifest(io, 'memory://t/m.avro', { schema, spec, content: ManifestContent.Data, snapshotId: 1n, entries: entries.slice(0, 1) });
  const file = decodeAvroFile(await io.read('memory://t/m.avro'), 'm.avro');
  const meta = file.metadata;
  assert.equal(meta.get('format-version'), '2');
  assert.equal(meta.get('content'), 'data');
  assert.equal(meta.get('schema-id'), '3');
  assert.equal(meta.get('partition-spec-id'), '1');
  assert.equal(meta.get('avro.codec'), 'deflate');
  assert.deepEqual(JSON.parse(meta.get('partition-spec') ?? ''), [
    { name: 'ts_day', transform: 'day', 'source-id': 2, 'field-id': 1000 },
    { name: 'score', transform: 'identity', 'source-id': 3, 'field-id': 1001 },
    { name: 'region.bucket', transform: 'bucket[8]', 'source-id': 4, 'field-id': 1002 },
  ]);
  const tableSchema = JSON.parse(meta.get('schema') ?? '');
  assert.equal(tableSchema['schema-id'], 3);
  assert.equal(tableSchema.fields[1].type, 'timestamptz');

  // Field ids, straight from the header JSON.
  const top = file.schema as AvroRecord;
  assert.deepEqual(top.fields.map((f) => [f.name, f['field-id']]), [['status', 0], ['snapshot_id', 1], ['sequence_number', 3], ['file_sequence_number', 4], ['data_file', 2]]);
  const df = top.fields[4]?.type as AvroRecord;
  const ids = new Map(df.fields.map((f) => [f.name, f['field-id']]));
  assert.deepEqual([ids.get('content'), ids.get('file_path'), ids.get('partition'), ids.get('column_sizes'), ids.get('referenced_data_file')], [134, 100, 102, 108, 143]);
  const sizes = df.fields.find((f) => f.name === 'column_sizes')?.type as unknown[];
  assert.deepEqual(JSON.stringify(sizes[1]), JSON.stringify({ type: 'array', logicalType: 'map', items: { type: 'record', name: 'k117_v118', fields: [{ name: 'key', type: 'int', 'field-id': 117 }, { name: 'value', type: 'long', 'field-id': 118 }] } }));
  const part = df.fields.find((f) => f.name === 'partition')?.type as AvroRecord;
  assert.deepEqual(part.fields.map((f) => [f.name, f['field-id']]), [['ts_day', 1000], ['score', 1001], ['region_x2Ebucket', 1002]]);
  const dayType = (part.fields[0]?.type as unknown[])[1];
  assert.ok(isObjectSchema(dayType as never));
  assert.deepEqual(dayType, { type: 'int', logicalType: 'date' });
});

test('round trip through a manifest list applies sequence number and snapshot id inheritance', async () => {
  const io = new MemoryFileIO();
  const m = await writeManifest(io, 'memory://t/m1.avro', { schema, spec, content: ManifestContent.Data, snapshotId: BIG_SNAPSHOT, entries });
  const other = { ...m, manifestPath: 'memory://t/old.avro', addedSnapshotId: OLD_SNAPSHOT, sequenceNumber: 3, minSequenceNumber: 1, partitions: undefined };
  await writeManifestList(io, 'memory://t/snap.avro', { snapshotId: BIG_SNAPSHOT, parentSnapshotId: OLD_SNAPSHOT, sequenceNumber: 7, manifests: [m, other] });
  const listed = await readManifestList(io, 'memory://t/snap.avro');
  assert.equal(listed.length, 2);
  assert.deepEqual(listed[0], { ...m, sequenceNumber: 7, minSequenceNumber: 4 });
  const { partitions: _p, ...otherNoPartitions } = other;
  assert.deepEqual(listed[1], otherNoPartitions);

  const header = decodeAvroFile(await io.read('memory://t/snap.avro'), 'snap.avro').metadata;
  assert.equal(header.get('snapshot-id'), String(BIG_SNAPSHOT));
  assert.equal(header.get('parent-snapshot-id'), String(OLD_SNAPSHOT));
  assert.equal(header.get('sequence-number'), '7');
  assert.equal(header.get('format-version'), '2');

  const read = await readManifest(io, listed[0] as never, schema);
  assert.equal(read.length, 4);
  // ADDED with nulls: inherit the list's sequence number; snapshot id written explicitly.
  assert.deepEqual([read[0]?.snapshotId, read[0]?.sequenceNumber, read[0]?.fileSequenceNumber], [BIG_SNAPSHOT, 7, 7]);
  assert.deepEqual([read[2]?.snapshotId, read[2]?.sequenceNumber, read[2]?.fileSequenceNumber], [OLD_SNAPSHOT, 4, 5]);
  assert.deepEqual([read[3]?.status, read[3]?.snapshotId, read[3]?.sequenceNumber], [EntryStatus.Deleted, BIG_SNAPSHOT, 2]);
  // Data files come back exactly, partition tuples included (null, NaN, -0).
  for (const [i, e] of entries.entries()) assert.deepEqual(read[i]?.dataFile, e.dataFile);
  assert.ok(Object.is(read[2]?.dataFile.partition[1], -0));
});

test('an unlisted manifest reads with null sequence numbers on added entries', async () => {
  const io = new MemoryFileIO();
  const m = await writeManifest(io, 'memory://t/m2.avro', { schema, spec, content: ManifestContent.Data, snapshotId: 5n, entries: entries.slice(0, 1) });
  const [e] = await readManifest(io, m);
  assert.deepEqual([e?.sequenceNumber, e?.snapshotId], [null, 5n]);
  assert.equal(m.minSequenceNumber, UNASSIGNED_SEQUENCE_NUMBER);
});

test('writer rules: content, spec, sequence numbers, placeholders', async () => {
  const io = new MemoryFileIO();
  const opts = { schema, spec, content: ManifestContent.Deletes, snapshotId: 1n, entries: entries.slice(0, 1) };
  await assert.rejects(writeManifest(io, 'memory://x.avro', opts), /data file .* in a delete manifest/);
  const noSeq = { ...entries[2], sequenceNumber: null } as ManifestEntry;
  await assert.rejects(writeManifest(io, 'memory://x.avro', { ...opts, content: ManifestContent.Data, entries: [noSeq] }), /explicit sequence numbers/);
  const m = await writeManifest(io, 'memory://y.avro', { ...opts, content: ManifestContent.Data });
  await assert.rejects(
    writeManifestList(io, 'memory://l.avro', { snapshotId: 2n, parentSnapshotId: null, sequenceNumber: 1, manifests: [m] }),
    /has no sequence number/,
  );
  assert.equal(await io.exists('memory://l.avro'), false);
});

test('delete manifests say so in the header and in the list', async () => {
  const io = new MemoryFileIO();
  const del: ManifestEntry = {
    status: EntryStatus.Added,
    snapshotId: null,
    sequenceNumber: null,
    fileSequenceNumber: null,
    dataFile: { ...dataFile('pos', [1, 2, 3]), content: FileContent.PositionDeletes, referencedDataFile: 'memory://t/data/a.parquet' },
  };
  const m = await writeManifest(io, 'memory://d.avro', { schema, spec, content: ManifestContent.Deletes, snapshotId: 9n, entries: [del] });
  assert.equal(decodeAvroFile(await io.read('memory://d.avro'), 'd').metadata.get('content'), 'deletes');
  await writeManifestList(io, 'memory://l.avro', { snapshotId: 9n, parentSnapshotId: null, sequenceNumber: 1, manifests: [m] });
  const [listed] = await readManifestList(io, 'memory://l.avro');
  assert.equal(listed?.content, ManifestContent.Deletes);
  assert.equal(decodeAvroFile(await io.read('memory://l.avro'), 'l').metadata.get('parent-snapshot-id'), 'null');
  const [e] = await readManifest(io, listed as never);
  assert.equal(e?.dataFile.referencedDataFile, 'memory://t/data/a.parquet');
  assert.equal(e?.dataFile.content, FileContent.PositionDeletes);
});

test('missing and corrupt files name the file', async () => {
  const io = new MemoryFileIO();
  await assert.rejects(readManifestList(io, 'memory://nope.avro'), (e: Error) => e instanceof NotFoundError && e.message.includes('memory://nope.avro'));
  await io.write('memory://junk.avro', new TextEncoder().encode('not avro at all'));
  await assert.rejects(readManifestList(io, 'memory://junk.avro'), (e: Error) => e instanceof CorruptFileError && e.message.includes('memory://junk.avro'));
  const m = await writeManifest(io, 'memory://m.avro', { schema, spec, content: ManifestContent.Data, snapshotId: 1n, entries: entries.slice(0, 1) });
  const bytes = await io.read('memory://m.avro');
  await io.write('memory://m.avro', bytes.slice(0, bytes.length - 20));
  await assert.rejects(readManifest(io, m), (e: Error) => e instanceof CorruptFileError && e.message.includes('memory://m.avro'));
});
