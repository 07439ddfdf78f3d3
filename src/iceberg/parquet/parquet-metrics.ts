/**
 * Iceberg column metrics of a written Parquet file, taken from the column-chunk statistics that
 * hyparquet-writer computes anyway while encoding (JS values, before footer serialization), so
 * metrics cost one comparison per row group and column rather than a second pass over the rows.
 * Bounds follow Iceberg's default metrics mode `truncate(16)`.
 */
import { CorruptFileError } from '../../core/errors.ts';
import { comparatorFor } from '../spec/compare.ts';
import { DEFAULT_BOUND_LENGTH, toSingleValue, truncateLowerBound, truncateUpperBound } from '../spec/single-value.ts';
import type { DataFile, IcebergValue } from '../spec/types.ts';
import type { ParquetLeaf } from './parquet-schema.ts';

/** The metric fields of a DataFile. */
export type FileMetrics = Pick<
  DataFile,
  'columnSizes' | 'valueCounts' | 'nullValueCounts' | 'nanValueCounts' | 'lowerBounds' | 'upperBounds' | 'splitOffsets'
>;

/** The parts of a written row group's metadata that metrics need (hyparquet's RowGroup). */
export interface RowGroupStats {
  readonly columns: readonly {
    readonly file_offset: bigint;
    readonly meta_data?: {
      readonly total_compressed_size: bigint;
      readonly num_values: bigint;
      readonly statistics?: { readonly min_value?: unknown; readonly max_value?: unknown; readonly null_count?: bigint; readonly nan_count?: bigint };
    };
  }[];
}

const isFloating = (l: ParquetLeaf): boolean => l.type.type === 'float' || l.type.type === 'double';

/**
 * Per field id metrics of the leaves, summed/merged over `rowGroups` (leaf order = column order).
 * String/binary bounds are cut to `boundLength` code points/bytes (Infinity: full values, as
 * Iceberg keeps for position delete files).
 */
export function fileMetrics(path: string, leaves: readonly ParquetLeaf[], rowGroups: readonly RowGroupStats[], boundLength = DEFAULT_BOUND_LENGTH): FileMetrics {
  const columnSizes = new Map<number, number>();
  const valueCounts = new Map<number, number>();
  const nullValueCounts = new Map<number, number>();
  const nanValueCounts = new Map<number, number>();
  const lowerBounds = new Map<number, Uint8Array>();
  const upperBounds = new Map<number, Uint8Array>();
  const splitOffsets: number[] = [];
  leaves.forEach((leaf, c) => {
    const cmp = comparatorFor(leaf.type);
    let min: IcebergValue | undefined;
    let max: IcebergValue | undefined;
    let size = 0;
    let values = 0;
    let nulls = 0;
    let nans = 0;
    for (const rg of rowGroups) {
      const md = rg.columns[c]?.meta_data;
      if (!md) throw new CorruptFileError(`parquet file ${path}: row group lacks column ${leaf.path.join('.')}`);
      size += Number(md.total_compressed_size);
      values += Number(md.num_values);
      const st = md.statistics;
      nulls += Number(st?.null_count ?? 0n);
      nans += Number(st?.nan_count ?? 0n);
      const lo = st?.min_value as IcebergValue | undefined;
      const hi = st?.max_value as IcebergValue | undefined;
      if (lo !== undefined && lo !== null && (min === undefined || cmp(lo, min) < 0)) min = lo;
      if (hi !== undefined && hi !== null && (max === undefined || cmp(hi, max) > 0)) max = hi;
    }
    const id = leaf.fieldId;
    columnSizes.set(id, size);
    valueCounts.set(id, values);
    nullValueCounts.set(id, nulls);
    if (isFloating(leaf)) nanValueCounts.set(id, nans);
    if (min !== undefined) lowerBounds.set(id, toSingleValue(leaf.type, truncateLowerBound(leaf.type, min, boundLength)));
    if (max !== undefined) {
      const up = truncateUpperBound(leaf.type, max, boundLength);
      if (up !== null) upperBounds.set(id, toSingleValue(leaf.type, up));
    }
  });
  for (const rg of rowGroups) splitOffsets.push(Number(rg.columns[0]?.file_offset ?? 4n));
  return { columnSizes, valueCounts, nullValueCounts, nanValueCounts, lowerBounds, upperBounds, splitOffsets };
}
