/**
 * Position delete files (spec "Position Delete Files"): rows of (file_path, pos) with the
 * reserved field ids, sorted by file_path then pos, as one Parquet file. Bounds are kept whole
 * (Iceberg's metrics mode for these columns is `full`), so readers can tell which data files a
 * delete file touches.
 */
import { BadEventError } from '../../core/errors.ts';
import type { FileIO } from '../../io/file-io.ts';
import { compareStrings } from '../spec/compare.ts';
import type { DataFile, PartitionTuple } from '../spec/types.ts';
import { type ParquetCodec, ParquetFileWriter } from './parquet-file-writer.ts';
import { fileMetrics } from './parquet-metrics.ts';
import { POSITION_DELETE_SCHEMA } from './parquet-reader.ts';
import { parquetLeaves, parquetSchema } from './parquet-schema.ts';

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

const LONG_MAX = 2n ** 63n - 1n;

/** Sort order of position deletes: file_path by code point, then pos. */
export function comparePositionDeletes(a: PositionDelete, b: PositionDelete): number {
  // Deletes of one batch name a few files, usually by the same string: === skips the per-character walk.
  return (a.filePath === b.filePath ? 0 : compareStrings(a.filePath, b.filePath)) || (a.pos < b.pos ? -1 : a.pos > b.pos ? 1 : 0);
}

/**
 * Writes `deletes` (any order; duplicates are kept) as one position delete file and returns its
 * DataFile (content 1, bounds for both columns, `referencedDataFile` when every row names the
 * same data file). Throws BadEventError naming the row for a negative or non-bigint pos.
 */
export async function writePositionDeleteFile(options: PositionDeleteFileOptions, deletes: readonly PositionDelete[]): Promise<DataFile> {
  const { io, path } = options;
  const sorted = [...deletes].sort(comparePositionDeletes);
  const paths = new Array<string>(sorted.length);
  const positions = new Array<bigint>(sorted.length);
  sorted.forEach((d, i) => {
    if (typeof d.pos !== 'bigint' || d.pos < 0n || d.pos > LONG_MAX) {
      throw new BadEventError(`position delete file ${path}: pos ${String(d.pos)} for ${d.filePath} is not a non-negative 64-bit bigint`);
    }
    if (typeof d.filePath !== 'string' || d.filePath === '') {
      throw new BadEventError(`position delete file ${path}: file_path ${String(d.filePath)} at pos ${d.pos} is not a URI`);
    }
    paths[i] = d.filePath;
    positions[i] = d.pos;
  });
  const fields = POSITION_DELETE_SCHEMA.fields;
  const out = await io.openOutput(path);
  const file = new ParquetFileWriter({
    path,
    out,
    fields,
    schema: parquetSchema(POSITION_DELETE_SCHEMA),
    codec: options.codec ?? 'zstd',
    rowGroupRows: options.rowGroupRows ?? 1 << 20,
  });
  try {
    await file.append({ numRows: sorted.length, columns: [paths, positions] });
    const size = await file.finish();
    const first = paths[0];
    const single = first !== undefined && paths[paths.length - 1] === first; // sorted: first == last means all equal
    return {
      content: 1,
      filePath: path,
      fileFormat: 'PARQUET',
      specId: options.specId ?? 0,
      partition: options.partition ?? [],
      recordCount: sorted.length,
      fileSizeInBytes: size,
      ...fileMetrics(path, parquetLeaves(POSITION_DELETE_SCHEMA), file.rowGroups, Infinity),
      ...(single ? { referencedDataFile: first } : {}),
    };
  } catch (err) {
    await file.abort();
    throw err;
  }
}
