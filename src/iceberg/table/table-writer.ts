/**
 * Writing rows into a table: data files named under `<location>/data/<partition path>/`, with
 * the table's own write properties, and position deletes for rows that go away. The commit
 * goes through the snapshot producer, so appends and row deltas are single atomic snapshots.
 */
import { randomUUID } from 'node:crypto';
import type { Catalog } from '../../catalog/catalog.ts';
import type { FileIO } from '../../io/file-io.ts';
import { createDataFileWriter, type DataFileWriter } from '../parquet/data-file-writer.ts';
import type { ParquetCodec } from '../parquet/parquet-file-writer.ts';
import { PositionDeleteGroups } from '../parquet/position-delete-groups.ts';
import { writePositionDeleteGroups } from '../parquet/position-delete-writer.ts';
import { partitionPath } from '../spec/transforms.ts';
import type { DataFile, PartitionTuple, Row, TableIdentifier, TableMetadata } from '../spec/types.ts';
import { currentSchema, defaultSpec, specById } from './metadata-access.ts';
import { commitChange, type CommittedSnapshot, type ProduceOptions } from './snapshot-producer.ts';

/** A row's place in a table: its data file and 0-based position in it. */
export interface RowPosition {
  readonly dataFile: DataFile;
  readonly pos: number;
}

const CODECS: Readonly<Record<string, ParquetCodec>> = { zstd: 'zstd', snappy: 'snappy', uncompressed: 'uncompressed' };

/**
 * The Parquet codec the table's properties ask for (Iceberg's write.parquet.compression-codec;
 * delete files: write.delete.parquet.compression-codec, else the data files' codec); zstd when
 * unset or not one floe writes.
 */
export function tableCodec(properties: Readonly<Record<string, string>>, files: 'data' | 'deletes' = 'data'): ParquetCodec {
  const data = properties['write.parquet.compression-codec'];
  const name = files === 'deletes' ? (properties['write.delete.parquet.compression-codec'] ?? data) : data;
  return CODECS[(name ?? 'zstd').toLowerCase()] ?? 'zstd';
}

function dataDir(metadata: TableMetadata): string {
  return metadata.properties['write.data.path']?.replace(/\/+$/, '') ?? `${metadata.location}/data`;
}

/** Where a new data file of `partition` (default spec) goes. */
function dataFileLocation(metadata: TableMetadata, partition: PartitionTuple): string {
  const spec = defaultSpec(metadata);
  const dir = spec.fields.length === 0 ? dataDir(metadata) : `${dataDir(metadata)}/${partitionPath(spec, currentSchema(metadata), partition)}`;
  return `${dir}/${randomUUID()}.parquet`;
}

/** A record writer for the table's current schema and default spec, honouring write.* properties. */
export function tableDataWriter(io: FileIO, metadata: TableMetadata): DataFileWriter {
  const props = metadata.properties;
  const target = Number(props['write.target-file-size-bytes'] ?? NaN);
  return createDataFileWriter({
    io,
    schema: currentSchema(metadata),
    spec: defaultSpec(metadata),
    locationFor: (partition) => dataFileLocation(metadata, partition),
    ...(Number.isFinite(target) && target > 0 ? { targetFileSizeBytes: target } : {}),
    codec: tableCodec(props),
  });
}

/** Writes rows into new data files of the current table (uncommitted). */
export async function writeRows(io: FileIO, metadata: TableMetadata, rows: readonly Row[]): Promise<DataFile[]> {
  const writer = tableDataWriter(io, metadata);
  try {
    await writer.writeRows(rows);
    return await writer.complete();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** The deletes of one spec and partition: one delete file. */
interface PartitionDeletes {
  readonly path: string;
  readonly specId: number;
  readonly partition: PartitionTuple;
  readonly deletes: PositionDeleteGroups;
}

/**
 * Position delete files for the given rows, one per data file's spec and partition, each
 * sorted by file and position as the spec requires. Throws BadEventError for a pos that is
 * not a non-negative safe integer.
 */
export async function writePositionDeletes(io: FileIO, metadata: TableMetadata, positions: readonly RowPosition[]): Promise<DataFile[]> {
  // A batch deletes many rows from few data files: the partition key is made once a data file, not once a row.
  const byPartition = new Map<string, PartitionDeletes>();
  const byDataFile = new Map<string, PositionDeleteGroups>();
  // Rows of one data file share its DataFile object: the last one's group is reused without a lookup.
  let lastFile: DataFile | undefined;
  let lastDeletes: PositionDeleteGroups | undefined;
  for (let i = 0; i < positions.length; i++) {
    const { dataFile, pos } = positions[i]!;
    let deletes = dataFile === lastFile ? lastDeletes : byDataFile.get(dataFile.filePath);
    if (deletes === undefined) {
      deletes = partitionDeletes(metadata, byPartition, dataFile).deletes;
      byDataFile.set(dataFile.filePath, deletes);
    }
    lastFile = dataFile;
    lastDeletes = deletes;
    deletes.add(dataFile.filePath, pos);
  }
  const files: DataFile[] = [];
  const codec = tableCodec(metadata.properties, 'deletes');
  for (const { path, specId, partition, deletes } of byPartition.values()) {
    files.push(await writePositionDeleteGroups({ io, path, specId, partition, codec }, deletes));
  }
  return files;
}

/** The deletes of `dataFile`'s spec and partition in `byPartition`, added with a new delete file path when first seen. */
function partitionDeletes(metadata: TableMetadata, byPartition: Map<string, PartitionDeletes>, dataFile: DataFile): PartitionDeletes {
  const { specId, partition } = dataFile;
  const key = `${specId}/${JSON.stringify(partition, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`;
  let found = byPartition.get(key);
  if (found === undefined) {
    const spec = specById(metadata, specId);
    const dir = spec.fields.length === 0 ? dataDir(metadata) : `${dataDir(metadata)}/${partitionPath(spec, currentSchema(metadata), partition)}`;
    const path = `${dir}/${randomUUID()}-deletes.parquet`;
    found = { path, specId, partition, deletes: new PositionDeleteGroups(`position delete file ${path}`) };
    byPartition.set(key, found);
  }
  return found;
}

/** Appends rows as one snapshot. */
export async function appendRows(catalog: Catalog, io: FileIO, id: TableIdentifier, rows: readonly Row[], options: ProduceOptions = {}): Promise<CommittedSnapshot> {
  const base = await catalog.loadTable(id);
  const files = await writeRows(io, base.metadata, rows);
  return commitChange(catalog, io, id, { addedFiles: files }, options);
}

/** Deletes rows by position and adds `newRows`, in one row-delta snapshot. */
export async function deleteRowsAt(
  catalog: Catalog,
  io: FileIO,
  id: TableIdentifier,
  positions: readonly RowPosition[],
  newRows: readonly Row[] = [],
  options: ProduceOptions = {},
): Promise<CommittedSnapshot> {
  const base = await catalog.loadTable(id);
  const deletes = await writePositionDeletes(io, base.metadata, positions);
  const data = newRows.length === 0 ? [] : await writeRows(io, base.metadata, newRows);
  const live = new Set(positions.map((p) => p.dataFile.filePath));
  return commitChange(
    catalog,
    io,
    id,
    {
      addedFiles: [...data, ...deletes],
      operation: 'overwrite',
      // Deletes name files by path: they must still be live when the commit lands.
      validate: (current) => {
        if (current.metadata.currentSnapshotId !== base.metadata.currentSnapshotId && live.size > 0) {
          throw new Error(`iceberg table ${current.metadata.location} changed since its rows were located; locate them again`);
        }
      },
    },
    options,
  );
}
