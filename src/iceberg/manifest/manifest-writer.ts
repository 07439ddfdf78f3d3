/**
 * Writes a v2 manifest: an Avro container of `manifest_entry` records plus the header keys the
 * spec requires (`schema`, `schema-id`, `partition-spec`, `partition-spec-id`,
 * `format-version`, `content`), and returns its manifest-list row.
 */
import type { FileIO } from '../../io/file-io.ts';
import { encodeAvroFile } from '../avro/container.ts';
import { stringifyJsonLossless } from '../spec/lossless-json.ts';
import { partitionFieldsToJson, schemaToJson } from '../spec/schema-json.ts';
import { EntryStatus, FileContent, ManifestContent } from '../spec/types.ts';
import type { DataFile, ManifestEntry, ManifestFile, PartitionSpec, Schema } from '../spec/types.ts';
import { manifestEntrySchema } from './manifest-schemas.ts';
import { summarizePartitions } from './partition-summary.ts';
import { encodePartition, partitionRecordSchema, partitionType, type PartitionFieldType } from './partition-type.ts';

/** Placeholder sequence number of a manifest not yet in a list; the list writer replaces it. */
export const UNASSIGNED_SEQUENCE_NUMBER = -1;

export interface WriteManifestOptions {
  readonly schema: Schema; // current table schema, stored in the header
  readonly spec: PartitionSpec; // every entry's partition tuple follows this spec
  readonly content: ManifestContent; // Data: only data files; Deletes: only delete files
  readonly snapshotId: bigint; // the snapshot that writes this manifest
  readonly entries: readonly ManifestEntry[];
}

function intMap<V>(m: ReadonlyMap<number, V> | undefined, conv: (v: V) => unknown): unknown {
  return m === undefined ? null : [...m].map(([key, value]) => ({ key, value: conv(value) }));
}

function dataFileRecord(f: DataFile, fields: readonly PartitionFieldType[], where: string): Record<string, unknown> {
  return {
    content: f.content,
    file_path: f.filePath,
    file_format: f.fileFormat,
    partition: encodePartition(fields, f.partition, `${where} file ${f.filePath}`),
    record_count: BigInt(f.recordCount),
    file_size_in_bytes: BigInt(f.fileSizeInBytes),
    column_sizes: intMap(f.columnSizes, BigInt),
    value_counts: intMap(f.valueCounts, BigInt),
    null_value_counts: intMap(f.nullValueCounts, BigInt),
    nan_value_counts: intMap(f.nanValueCounts, BigInt),
    lower_bounds: intMap(f.lowerBounds, (b) => Buffer.from(b)),
    upper_bounds: intMap(f.upperBounds, (b) => Buffer.from(b)),
    key_metadata: null,
    split_offsets: f.splitOffsets?.map(BigInt) ?? null,
    equality_ids: f.equalityIds ? [...f.equalityIds] : null,
    sort_order_id: f.sortOrderId ?? null,
    referenced_data_file: f.referencedDataFile ?? null,
  };
}

/** Spec rules a v2 manifest must satisfy; a violation is a bug in the caller. */
function checkEntry(e: ManifestEntry, opts: WriteManifestOptions, where: string): void {
  const isData = e.dataFile.content === FileContent.Data;
  if (isData !== (opts.content === ManifestContent.Data)) {
    throw new Error(`${where}: ${isData ? 'data' : 'delete'} file ${e.dataFile.filePath} in a ${isData ? 'delete' : 'data'} manifest`);
  }
  if (e.dataFile.specId !== opts.spec.specId) {
    throw new Error(`${where}: file ${e.dataFile.filePath} has spec ${e.dataFile.specId}, the manifest spec ${opts.spec.specId}`);
  }
  if (e.status !== EntryStatus.Added && (e.sequenceNumber === null || e.fileSequenceNumber === null)) {
    throw new Error(`${where}: existing or deleted file ${e.dataFile.filePath} needs explicit sequence numbers`);
  }
  if (e.status === EntryStatus.Existing && e.snapshotId === null) {
    throw new Error(`${where}: existing file ${e.dataFile.filePath} needs the snapshot id that added it`);
  }
}

/**
 * Writes `opts.entries` to a new manifest at `path` (replacing any file there) and returns its
 * manifest-list row. Entries are written as given, except that a null snapshot id on an ADDED or
 * DELETED entry is written as `opts.snapshotId`, the snapshot adding or deleting it.
 * ADDED entries may carry null sequence numbers (inherited from the list); EXISTING and DELETED
 * must carry both. The row's `sequenceNumber` is UNASSIGNED_SEQUENCE_NUMBER (-1); its
 * `minSequenceNumber` is the least explicit data sequence number of ADDED/EXISTING entries, or
 * -1 when none has one (they will inherit the snapshot's, which is then the least).
 * Partition summaries cover every entry, as Java's do. Throws Error on a rule violation.
 */
export async function writeManifest(io: FileIO, path: string, opts: WriteManifestOptions): Promise<ManifestFile> {
  const where = `manifest ${path}`;
  const fields = partitionType(opts.spec, opts.schema);
  const counts = { files: [0, 0, 0], rows: [0, 0, 0] }; // indexed by EntryStatus
  let minSeq: number | null = null;
  const records = opts.entries.map((e) => {
    checkEntry(e, opts, where);
    counts.files[e.status] = (counts.files[e.status] ?? 0) + 1;
    counts.rows[e.status] = (counts.rows[e.status] ?? 0) + e.dataFile.recordCount;
    if (e.status !== EntryStatus.Deleted && e.sequenceNumber !== null) minSeq = Math.min(minSeq ?? e.sequenceNumber, e.sequenceNumber);
    const inheritSnapshot = e.snapshotId === null && e.status !== EntryStatus.Existing;
    return {
      status: e.status,
      snapshot_id: inheritSnapshot ? opts.snapshotId : e.snapshotId,
      sequence_number: e.sequenceNumber === null ? null : BigInt(e.sequenceNumber),
      file_sequence_number: e.fileSequenceNumber === null ? null : BigInt(e.fileSequenceNumber),
      data_file: dataFileRecord(e.dataFile, fields, where),
    };
  });
  const metadata = {
    schema: stringifyJsonLossless(schemaToJson(opts.schema)),
    'schema-id': String(opts.schema.schemaId),
    'partition-spec': stringifyJsonLossless(partitionFieldsToJson(opts.spec.fields)),
    'partition-spec-id': String(opts.spec.specId),
    'format-version': '2',
    content: opts.content === ManifestContent.Data ? 'data' : 'deletes',
  };
  const bytes = encodeAvroFile(manifestEntrySchema(partitionRecordSchema(fields)), records, metadata, 'deflate');
  await io.write(path, bytes);
  return {
    manifestPath: path,
    manifestLength: bytes.length,
    partitionSpecId: opts.spec.specId,
    content: opts.content,
    sequenceNumber: UNASSIGNED_SEQUENCE_NUMBER,
    minSequenceNumber: minSeq ?? UNASSIGNED_SEQUENCE_NUMBER,
    addedSnapshotId: opts.snapshotId,
    addedFilesCount: counts.files[EntryStatus.Added] ?? 0,
    existingFilesCount: counts.files[EntryStatus.Existing] ?? 0,
    deletedFilesCount: counts.files[EntryStatus.Deleted] ?? 0,
    addedRowsCount: counts.rows[EntryStatus.Added] ?? 0,
    existingRowsCount: counts.rows[EntryStatus.Existing] ?? 0,
    deletedRowsCount: counts.rows[EntryStatus.Deleted] ?? 0,
    partitions: summarizePartitions(fields, opts.entries.map((e) => e.dataFile.partition)),
  };
}
