/**
 * Per partition field summaries of a manifest (`manifest_file.partitions`, field 507): whether
 * any value is null or NaN, and the lower and upper bound over the other values in their
 * single-value binary form. -0.0 sorts before +0.0 (compareValues), so the bounds keep the
 * spec's rule that a -0.0 value never gets a +0.0 lower bound.
 */
import { comparatorFor } from '../spec/compare.ts';
import { toSingleValue } from '../spec/single-value.ts';
import type { FieldSummary, IcebergValue, PartitionTuple } from '../spec/types.ts';
import type { PartitionFieldType } from './partition-type.ts';

function isNan(v: IcebergValue): boolean {
  return typeof v === 'number' && Number.isNaN(v);
}

/** One summary per field of `fields`, over every tuple in `tuples` (any entry status). */
export function summarizePartitions(fields: readonly PartitionFieldType[], tuples: readonly PartitionTuple[]): FieldSummary[] {
  return fields.map((field, i) => {
    const compare = comparatorFor(field.type);
    let containsNull = false;
    let containsNan = false;
    let lower: IcebergValue = null;
    let upper: IcebergValue = null;
    for (const tuple of tuples) {
      const v = tuple[i] ?? null;
      if (v === null) containsNull = true;
      else if (isNan(v)) containsNan = true;
      else {
        if (lower === null || compare(v, lower) < 0) lower = v;
        if (upper === null || compare(v, upper) > 0) upper = v;
      }
    }
    const summary: FieldSummary = { containsNull, containsNan };
    return lower === null || upper === null
      ? summary
      : { ...summary, lowerBound: toSingleValue(field.type, lower), upperBound: toSingleValue(field.type, upper) };
  });
}
