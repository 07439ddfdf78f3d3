/**
 * Manifest lists: one Avro `manifest_file` record per manifest of a snapshot. Writes v2 (with
 * the header keys `snapshot-id`, `parent-snapshot-id`, `sequence-number`, `format-version`);
 * reads v1 and v2.
 */
import { CorruptFileError } from '../../core/errors.ts';
import type { FileIO } from '../../io/file-io.ts';
import { encodeAvroFile } from '../avro/container.ts';
import { ManifestContent } from '../spec/types.ts';
import type { FieldSummary, ManifestFile } from '../spec/types.ts';
import { MANIFEST_FILE_SCHEMA } from './manifest-schemas.ts';
import { UNASSIGNED_SEQUENCE_NUMBER } from './manifest-writer.ts';
import { readIcebergAvro, toBytes, toNumber } from './read-avro.ts';

type Rec = Record<string, unknown>;

export interface WriteManifestListOptions {
  readonly snapshotId: bigint; // the snapshot this list belongs to
  readonly parentSnapshotId: bigint | null;
  readonly sequenceNumber: number; // the snapshot's sequence number
  readonly manifests: readonly ManifestFile[];
}

function assigned(value: number, m: ManifestFile, opts: WriteManifestListOptions, path: string): bigint {
  if (value !== UNASSIGNED_SEQUENCE_NUMBER) return BigInt(value);
  // Only a manifest written by this very snapshot may still wait for its sequence number.
  if (m.addedSnapshotId !== opts.snapshotId) {
    throw new Error(`manifest list ${path}: manifest ${m.manifestPath} from snapshot ${m.addedSnapshotId} has no sequence number`);
  }
  return BigInt(opts.sequenceNumber);
}

function summaryRecord(s: FieldSummary): Rec {
  return {
    contains_null: s.containsNull,
    contains_nan: s.containsNan ?? null,
    lower_bound: s.lowerBound === undefined ? null : Buffer.from(s.lowerBound),
    upper_bound: s.upperBound === undefined ? null : Buffer.from(s.upperBound),
  };
}

/**
 * Writes the v2 manifest list of snapshot `opts.snapshotId` at `path` (replacing any file).
 * Sequence numbers still at the -1 placeholder (manifests this snapshot wrote) become
 * `opts.sequenceNumber`; a placeholder on a manifest of another snapshot is a caller bug (Error).
 */
export async function writeManifestList(io: FileIO, path: string, opts: WriteManifestListOptions): Promise<void> {
  const records = opts.manifests.map((m) => ({
    manifest_path: m.manifestPath,
    manifest_length: BigInt(m.manifestLength),
    partition_spec_id: m.partitionSpecId,
    content: m.content,
    sequence_number: assigned(m.sequenceNumber, m, opts, path),
    min_sequence_number: assigned(m.minSequenceNumber, m, opts, path),
    added_snapshot_id: m.addedSnapshotId,
    added_files_count: m.addedFilesCount,
    existing_files_count: m.existingFilesCount,
    deleted_files_count: m.deletedFilesCount,
    added_rows_count: BigInt(m.addedRowsCount),
    existing_rows_count: BigInt(m.existingRowsCount),
    deleted_rows_count: BigInt(m.deletedRowsCount),
    partitions: m.partitions?.map(summaryRecord) ?? null,
    key_metadata: null,
  }));
  const metadata = {
    'snapshot-id': String(opts.snapshotId),
    'parent-snapshot-id': opts.parentSnapshotId === null ? 'null' : String(opts.parentSnapshotId),
    'sequence-number': String(opts.sequenceNumber),
    'format-version': '2',
  };
  await io.write(path, encodeAvroFile(MANIFEST_FILE_SCHEMA, records, metadata, 'deflate'));
}

function readSummary(v: unknown): FieldSummary {
  const r = v as Rec;
  const s: { -readonly [K in keyof FieldSummary]: FieldSummary[K] } = { containsNull: r.contains_null === true };
  if (typeof r.contains_nan === 'boolean') s.containsNan = r.contains_nan;
  const lower = toBytes(r.lower_bound);
  const upper = toBytes(r.upper_bound);
  if (lower !== undefined) s.lowerBound = lower;
  if (upper !== undefined) s.upperBound = upper;
  return s;
}

function readManifestFile(r: Rec, path: string): ManifestFile {
  const num = (name: string): number => toNumber(r[name], name, path);
  // v1 lists lack content and sequence numbers (spec: read as data and 0). A null count
  // ("assumed non-zero" in v1) is read as 0: Java and pyiceberg always wrote the counts.
  const orZero = (name: string): number => (r[name] === null || r[name] === undefined ? 0 : num(name));
  const content = orZero('content');
  if (content !== ManifestContent.Data && content !== ManifestContent.Deletes) {
    throw new CorruptFileError(`manifest list ${path}: unknown manifest content ${content}`);
  }
  if (typeof r.added_snapshot_id !== 'bigint') throw new CorruptFileError(`manifest list ${path}: manifest ${String(r.manifest_path)} has no added_snapshot_id`);
  const m: ManifestFile = {
    manifestPath: String(r.manifest_path),
    manifestLength: num('manifest_length'),
    partitionSpecId: num('partition_spec_id'),
    content,
    sequenceNumber: orZero('sequence_number'),
    minSequenceNumber: orZero('min_sequence_number'),
    addedSnapshotId: r.added_snapshot_id,
    addedFilesCount: orZero('added_files_count'),
    existingFilesCount: orZero('existing_files_count'),
    deletedFilesCount: orZero('deleted_files_count'),
    addedRowsCount: orZero('added_rows_count'),
    existingRowsCount: orZero('existing_rows_count'),
    deletedRowsCount: orZero('deleted_rows_count'),
  };
  const partitions = r.partitions as unknown[] | null | undefined;
  return partitions === null || partitions === undefined ? m : { ...m, partitions: partitions.map(readSummary) };
}

/**
 * The manifests listed in the manifest list at `path`, in file order. v1 lists read with
 * content data and sequence numbers 0. Throws NotFoundError or CorruptFileError naming the file.
 */
export async function readManifestList(io: FileIO, path: string): Promise<ManifestFile[]> {
  const file = await readIcebergAvro(io, path, 'manifest list');
  return file.records.map((r) => readManifestFile(r as Rec, path));
}
