/**
 * Position delete files (spec "Position Delete Files"): rows of (file_path, pos) with the
 * reserved field ids, sorted by file_path then pos, as one Parquet file. Bounds are kept whole
 * (Iceberg's metrics mode for these columns is `full`), so readers can tell which data files a
 * delete file touches. The rows go to the flat encoder as typed columns: every row's file_path
 * points at one UTF-8 copy of its path, and pos is the sorted int64 array itself.
 */
import type { FileIO } from '../../io/file-io.ts';
import type { DataFile, PartitionTuple } from '../spec/types.ts';
import { FlatParquetFileWriter } from './flat-parquet-file-writer.ts';
import type { ParquetCodec } from './parquet-file-writer.ts';
import { fileMetrics } from './parquet-metrics.ts';
import { POSITION_DELETE_SCHEMA } from './parquet-reader.ts';
import { parquetLeaves, parquetSchema } from './parquet-schema.ts';
import { PositionDeleteGroups, type SortedPositionDeletes } from './position-delete-groups.ts';
import { typedBatch, type TypedColumnBatch } from './typed-batch.ts';

/** One deleted row: the data file's full URI and the row's 0-based position in it. */
export interface PositionDelete {
  readonly filePath: string;
  readonly pos: bigint;
}

/** Options of `writePositionDeleteFile`. */
export interface PositionDeleteFileOptions {
  readonly io: FileIO;
  /** URI of the new delete file. */
  readonly path: string;
  /** Spec and partition of the data files the deletes refer to (default: unpartitioned, spec 0). */
  readonly specId?: number;
  readonly partition?: PartitionTuple;
  readonly codec?: ParquetCodec;
  readonly rowGroupRows?: number;
}

const LEAVES = parquetLeaves(POSITION_DELETE_SCHEMA);

/**
 * Writes `deletes` (any order; duplicates are kept) as one position delete file and returns its
 * DataFile (content 1, bounds for both columns, `referencedDataFile` when every row names the
 * same data file). Throws BadEventError naming the row for a negative or non-bigint pos.
 */
export async function writePositionDeleteFile(options: PositionDeleteFileOptions, deletes: readonly PositionDelete[]): Promise<DataFile> {
  const groups = new PositionDeleteGroups(`position delete file ${options.path}`);
  for (const d of deletes) groups.add(d.filePath, d.pos);
  return writePositionDeleteGroups(options, groups);
}

/** Writes the deletes gathered in `groups` (position-delete-groups.ts) as one position delete file; as `writePositionDeleteFile`. */
export async function writePositionDeleteGroups(options: PositionDeleteFileOptions, groups: PositionDeleteGroups): Promise<DataFile> {
  const { io, path } = options;
  const sorted = groups.sorted();
  const out = await io.openOutput(path);
  const file = new FlatParquetFileWriter({
    path,
    out,
    fields: POSITION_DELETE_SCHEMA.fields,
    schema: parquetSchema(POSITION_DELETE_SCHEMA),
    codec: options.codec ?? 'zstd',
    rowGroupRows: options.rowGroupRows ?? 1 << 20,
  });
  try {
    await file.append(deleteRows(sorted));
    const size = await file.finish();
    const single = sorted.paths.length === 1 ? sorted.paths[0] : undefined;
    return {
      content: 1,
      filePath: path,
      fileFormat: 'PARQUET',
      specId: options.specId ?? 0,
      partition: options.partition ?? [],
      recordCount: sorted.positions.length,
      fileSizeInBytes: size,
      ...fileMetrics(path, LEAVES, file.rowGroups, Infinity),
      ...(single === undefined ? {} : { referencedDataFile: single }),
    };
  } catch (err) {
    await file.abort();
    throw err;
  }
}

/** The (file_path, pos) rows as typed columns: each path encoded to UTF-8 once, positions as their int64 words. */
function deleteRows({ paths, counts, positions }: SortedPositionDeletes): TypedColumnBatch {
  const rows = positions.length;
  const encoded = paths.map((p) => Buffer.from(p, 'utf8'));
  const spans = new Int32Array(2 * rows);
  let row = 0;
  let at = 0;
  encoded.forEach((bytes, k) => {
    for (const end = row + counts[k]!; row < end; row++) {
      spans[2 * row] = at;
      spans[2 * row + 1] = bytes.length;
    }
    at += bytes.length;
  });
  const nulls = new Uint8Array(rows); // both columns are required: no row is null
  const words = new Int32Array(positions.buffer, positions.byteOffset, 2 * rows);
  return typedBatch(rows, [{ kind: 'utf8', data: spans, nulls, bytes: Buffer.concat(encoded) }, { kind: 'int64', data: words, nulls }], [undefined, undefined]);
}
