/**
 * Reading single rows of data files by position: only the row groups holding a wanted
 * position are decoded, and only the wanted columns, so the cost follows what is asked for,
 * not the size of the file.
 */
import type { FileIO } from '../../io/file-io.ts';
import { readDataFile } from '../../iceberg/parquet/parquet-reader.ts';
import type { NestedField, Row } from '../../iceberg/spec/types.ts';

/** First index in sorted `xs` with xs[i] >= x. */
function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Rows at `positions` (0-based) of the data file at `path`, with `fields` only, keyed by
 * position. Positions past the end of the file are absent from the result.
 */
export async function readRowsAt(io: FileIO, path: string, fields: readonly NestedField[], positions: Iterable<number>): Promise<Map<number, Row>> {
  const wanted = [...new Set(positions)].sort((a, b) => a - b);
  const out = new Map<number, Row>();
  if (wanted.length === 0) return out;
  const rowGroupFilter = (first: number, n: number): boolean => {
    const i = lowerBound(wanted, first);
    return i < wanted.length && wanted[i]! < first + n;
  };
  for await (const batch of readDataFile(io, path, { fields }, { rowGroupFilter })) {
    const end = batch.firstRowPosition + batch.rows.length;
    for (let i = lowerBound(wanted, batch.firstRowPosition); i < wanted.length && wanted[i]! < end; i += 1) {
      const pos = wanted[i]!;
      out.set(pos, batch.rows[pos - batch.firstRowPosition]!);
    }
  }
  return out;
}

/** Groups items by a string key, keeping first-seen order of keys. */
export function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return groups;
}
