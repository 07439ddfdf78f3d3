/**
 * An optional, additive representation of a ColumnBatch for fixed-width columns: values in
 * typed arrays plus a null flag per row, so a producer (the PostgreSQL COPY decoder) allocates
 * no BigInt or heap number per value and the flat Parquet encoder copies machine words. The
 * batch still honours the ColumnBatch contract: reading `columns` materializes the typed
 * columns into IcebergValues once (bigint for int64, number for int32/float, boolean), so every
 * other consumer (partitioning, error reports) sees exactly what a plain batch holds.
 */
import type { ColumnBatch, IcebergValue } from '../spec/types.ts';

/** Layout of a typed column's `data`, by row r (null rows hold 0). */
export type TypedKind =
  | 'int32' // Int32Array: data[r]; Iceberg int or date (number)
  | 'int64' // Int32Array: data[2r] low word, data[2r + 1] high word (little-endian int64 memory); long, time, timestamps (bigint)
  | 'float32' // Float32Array: float (number)
  | 'float64' // Float64Array: double (number)
  | 'boolean' // Uint8Array of 0/1: boolean
  | 'utf8'; // Int32Array: data[2r] start, data[2r + 1] length of the value's valid UTF-8 bytes in `bytes`: string

/** One fixed-width column of a batch. */
export interface TypedColumn {
  readonly kind: TypedKind;
  readonly data: Int32Array | Float32Array | Float64Array | Uint8Array;
  /** 1 where the row is null; length >= the batch's numRows. */
  readonly nulls: Uint8Array;
  /** `utf8` only: the bytes `data` points into. */
  readonly bytes?: Uint8Array;
}

/** A ColumnBatch whose columns are each typed or plain (`columns` materializes the typed ones on first read). */
export interface TypedColumnBatch extends ColumnBatch {
  readonly typed: readonly (TypedColumn | undefined)[];
  /** The plain values of the columns that are not typed (undefined where typed). */
  readonly plain: readonly (readonly IcebergValue[] | undefined)[];
}

/** True when `batch` carries typed columns. */
export function isTypedBatch(batch: ColumnBatch): batch is TypedColumnBatch {
  return 'typed' in batch;
}

const TWO32 = 4294967296;

/** The int64 of row `r` of an int64 column as a bigint (one allocation when it fits 2^53). */
export function int64At(data: Int32Array, r: number): bigint {
  const lo = data[2 * r]! >>> 0;
  const hi = data[2 * r + 1]!;
  if (hi < 2097152 && hi >= -2097152) return BigInt(hi * TWO32 + lo);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** The string of row `r` of a utf8 column. */
export function utf8At(col: TypedColumn, r: number): string {
  const b = col.bytes!;
  const start = col.data[2 * r]!;
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8', start, start + col.data[2 * r + 1]!);
}

/** The IcebergValues of the first `rows` rows of `col` (null where flagged). */
export function materialize(col: TypedColumn, rows: number): IcebergValue[] {
  const out = new Array<IcebergValue>(rows);
  const { data, nulls } = col;
  for (let r = 0; r < rows; r++) {
    if (nulls[r] === 1) out[r] = null;
    else if (col.kind === 'int64') out[r] = int64At(data as Int32Array, r);
    else if (col.kind === 'boolean') out[r] = data[r] === 1;
    else if (col.kind === 'utf8') out[r] = utf8At(col, r);
    else out[r] = data[r]!;
  }
  return out;
}

/** A batch of `numRows` rows from typed and plain columns (exactly one of the two per column). */
export function typedBatch(
  numRows: number,
  typed: readonly (TypedColumn | undefined)[],
  plain: readonly (readonly IcebergValue[] | undefined)[],
): TypedColumnBatch {
  return new LazyTypedBatch(numRows, typed, plain);
}

/** A class, not an object literal with a getter: one stable shape (the literal form measured ~2x more GC). */
class LazyTypedBatch implements TypedColumnBatch {
  private materialized: (readonly IcebergValue[])[] | undefined;

  constructor(
    readonly numRows: number,
    readonly typed: readonly (TypedColumn | undefined)[],
    readonly plain: readonly (readonly IcebergValue[] | undefined)[],
  ) {}

  get columns(): readonly (readonly IcebergValue[])[] {
    this.materialized ??= this.typed.map((t, c) => (t === undefined ? (this.plain[c] ?? []) : materialize(t, this.numRows)));
    return this.materialized;
  }
}
