/**
 * Reads v1 and v2 manifests into ManifestEntry values, applying the spec's inheritance:
 * snapshot ids, data and file sequence numbers, and the partition spec id come from the
 * manifest's row in the manifest list when the entry leaves them null.
 */
import { CorruptFileError } from '../../core/errors.ts';
import type { FileIO } from '../../io/file-io.ts';
import { EntryStatus, FileContent } from '../spec/types.ts';
import type { DataFile, ManifestEntry, ManifestFile, Schema } from '../spec/types.ts';
import { decodePartition, partitionTypeOfFile, type PartitionFieldType } from './partition-type.ts';
import { readIcebergAvro, toBytes, toNumber, toNumberOrNull } from './read-avro.ts';

type Rec = Record<string, unknown>;
type KeyValue = { key: unknown; value: unknown };

const FORMATS = new Set(['PARQUET', 'AVRO', 'ORC']);

function intMap<V>(v: unknown, conv: (x: unknown) => V): ReadonlyMap<number, V> | undefined {
  if (v === null || v === undefined) return undefined;
  return new Map((v as KeyValue[]).map(({ key, value }) => [Number(key), conv(value)]));
}

function readDataFile(r: Rec, fields: readonly PartitionFieldType[], specId: number, file: string): DataFile {
  const num = (name: string): number => toNumber(r[name], `data_file.${name}`, file);
  const format = String(r.file_format).toUpperCase();
  if (!FORMATS.has(format)) throw new CorruptFileError(`manifest ${file}: unsupported file_format ${String(r.file_format)} for ${String(r.file_path)}`);
  const content = r.content === null || r.content === undefined ? FileContent.Data : Number(r.content);
  if (content !== 0 && content !== 1 && content !== 2) throw new CorruptFileError(`manifest ${file}: unknown data_file.content ${content}`);
  const counts = (name: string): ReadonlyMap<number, number> | undefined => intMap(r[name], (x) => toNumber(x, `data_file.${name}`, file));
  const f: { -readonly [K in keyof DataFile]: DataFile[K] } = {
    content,
    filePath: String(r.file_path),
    fileFormat: format as DataFile['fileFormat'],
    specId,
    partition: decodePartition(fields, r.partition),
    recordCount: num('record_count'),
    fileSizeInBytes: num('file_size_in_bytes'),
  };
  // Absent optional fields stay absent rather than `undefined`, so entries compare cleanly.
  const columnSizes = counts('column_sizes');
  if (columnSizes) f.columnSizes = columnSizes;
  const valueCounts = counts('value_counts');
  if (valueCounts) f.valueCounts = valueCounts;
  const nullValueCounts = counts('null_value_counts');
  if (nullValueCounts) f.nullValueCounts = nullValueCounts;
  const nanValueCounts = counts('nan_value_counts');
  if (nanValueCounts) f.nanValueCounts = nanValueCounts;
  const lowerBounds = intMap(r.lower_bounds, (x) => toBytes(x) as Uint8Array);
  if (lowerBounds) f.lowerBounds = lowerBounds;
  const upperBounds = intMap(r.upper_bounds, (x) => toBytes(x) as Uint8Array);
  if (upperBounds) f.upperBounds = upperBounds;
  if (Array.isArray(r.split_offsets)) f.splitOffsets = r.split_offsets.map((x) => toNumber(x, 'data_file.split_offsets', file));
  if (Array.isArray(r.equality_ids)) f.equalityIds = r.equality_ids.map(Number);
  if (typeof r.sort_order_id === 'number') f.sortOrderId = r.sort_order_id;
  if (typeof r.referenced_data_file === 'string') f.referencedDataFile = r.referenced_data_file;
  return f;
}

/**
 * The entries of `manifest`, in file order, with inheritance applied:
 * - snapshot id: null -> `manifest.addedSnapshotId`;
 * - data and file sequence numbers: null on an ADDED entry -> `manifest.sequenceNumber` (left
 *   null while that is the -1 placeholder of an unlisted manifest); in a v1 manifest (no such
 *   columns) every entry gets 0, as the spec requires;
 * - `dataFile.specId` is `manifest.partitionSpecId`.
 * Partition tuples are decoded with the types recorded in the file's own Avro schema (what its
 * writer encoded), so `_schema` is not needed; it is accepted for callers that have it.
 * Throws NotFoundError (missing) or CorruptFileError (unreadable) naming the manifest.
 */
export async function readManifest(io: FileIO, manifest: ManifestFile, _schema?: Schema): Promise<ManifestEntry[]> {
  const path = manifest.manifestPath;
  const file = await readIcebergAvro(io, path, 'manifest');
  const version = Number(file.metadata.get('format-version') ?? '1');
  if (version !== 1 && version !== 2) throw new CorruptFileError(`manifest ${path}: unsupported format-version ${version}`);
  const fields = partitionTypeOfFile(file.schema, path);
  return file.records.map((value): ManifestEntry => {
    const r = value as Rec;
    const status = Number(r.status);
    if (status !== 0 && status !== 1 && status !== 2) throw new CorruptFileError(`manifest ${path}: unknown entry status ${status}`);
    const inherit = version === 1 ? 0 : status === EntryStatus.Added && manifest.sequenceNumber >= 0 ? manifest.sequenceNumber : null;
    const seq = toNumberOrNull(r.sequence_number, 'sequence_number', path) ?? inherit;
    const fileSeq = toNumberOrNull(r.file_sequence_number, 'file_sequence_number', path) ?? inherit;
    const snapshotId = r.snapshot_id === null || r.snapshot_id === undefined ? manifest.addedSnapshotId : BigInt(r.snapshot_id as bigint);
    return {
      status,
      snapshotId,
      sequenceNumber: seq,
      fileSequenceNumber: fileSeq,
      dataFile: readDataFile(r.data_file as Rec, fields, manifest.partitionSpecId, path),
    };
  });
}
