/**
 * PLAIN encoders of the fixed-width Parquet types, one monomorphic loop per Iceberg
 * representation: each takes values `[from, to)` of a column, writes the non-null ones to the
 * page buffer, a definition level per row (when the column is optional), and the chunk
 * statistics in the same pass, and stops early once the page reaches `limit` bytes.
 * Byte-array encoders live in plain-bytes-encoders.ts.
 *
 * Statistics follow Iceberg's order (spec/compare.ts): NaN is counted and never a bound, and a
 * zero bound is widened to -0 (lower) / +0 (upper) as the Parquet spec asks, so `= 0.0` never
 * prunes a file holding only -0. Values of the wrong representation throw EncodeError; the
 * file writer then names the column, row and value (value-check.ts).
 */
import type { IcebergValue } from '../spec/types.ts';
import type { ByteBuffer } from './byte-buffer.ts';

/** Statistics of one column chunk, updated as pages are encoded. */
export interface ChunkStats {
  nulls: number;
  nans: number;
  /** Smallest / largest non-NaN value in Iceberg's order, undefined while none was seen. */
  min: IcebergValue | undefined;
  max: IcebergValue | undefined;
}

/** A value the encoder cannot write (wrong representation or out of range). */
export class EncodeError extends Error {}

/**
 * Encodes `values[from, to)`; `levels` (null for a required column) receives one definition
 * level per row from index `levelAt`. Returns the index after the last row taken: `to`, or less
 * when the page buffer reached `limit` bytes.
 */
export type PlainEncoder = (
  values: ArrayLike<IcebergValue>,
  from: number,
  to: number,
  out: ByteBuffer,
  levels: Uint8Array | null,
  levelAt: number,
  st: ChunkStats,
  limit: number,
) => number;

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** A null in a required column (the caller reports which one). */
export function requiredNull(): never {
  throw new EncodeError('null in a required column');
}

/** INT32 from JS numbers (int, date): integers in the signed 32-bit range only. */
export const encodeInt32: PlainEncoder = (values, from, to, out, levels, la, st, limit) => {
  out.ensure((to - from) * 4);
  const view = out.view;
  let pos = out.pos;
  let min = st.min as number | undefined;
  let max = st.max as number | undefined;
  let nulls = st.nulls;
  let i = from;
  for (; i < to; i++) {
    const v = values[i];
    if (v == null) {
      if (levels === null) requiredNull();
      levels[la++] = 0;
      nulls++;
      continue;
    }
    if (levels !== null) levels[la++] = 1;
    if (typeof v !== 'number' || (v | 0) !== v) throw new EncodeError('expected a 32-bit integer');
    view.setInt32(pos, v, true);
    pos += 4;
    if (min === undefined) min = max = v;
    else if (v < min) min = v;
    else if (v > max!) max = v;
    if (pos >= limit) {
      i++;
      break;
    }
  }
  out.pos = pos;
  st.min = min === 0 ? 0 : min; // (v | 0) === v accepts -0; it is written as 0
  st.max = max === 0 ? 0 : max;
  st.nulls = nulls;
  return i;
};

/** INT64 from bigints (long, time, timestamp, timestamptz), or INT32/INT64 decimals when `bits` is 32. */
function bigintEncoder(bits: 32 | 64, lo: bigint, hi: bigint): PlainEncoder {
  const width = bits / 8;
  return (values, from, to, out, levels, la, st, limit) => {
    out.ensure((to - from) * width);
    const view = out.view;
    let pos = out.pos;
    let min = st.min as bigint | undefined;
    let max = st.max as bigint | undefined;
    let nulls = st.nulls;
    let i = from;
    for (; i < to; i++) {
      const v = values[i];
      if (v == null) {
        if (levels === null) requiredNull();
        levels[la++] = 0;
        nulls++;
        continue;
      }
      if (levels !== null) levels[la++] = 1;
      if (typeof v !== 'bigint') throw new EncodeError('expected a bigint');
      if (bits === 64) view.setBigInt64(pos, v, true);
      else view.setInt32(pos, Number(v), true);
      pos += width;
      if (min === undefined) min = max = v;
      else if (v < min) min = v;
      else if (v > max!) max = v;
      if (pos >= limit) {
        i++;
        break;
      }
    }
    out.pos = pos;
    // range checked on the bounds: one comparison per page instead of two per value
    if ((min !== undefined && min < lo) || (max !== undefined && max > hi)) throw new EncodeError(`value outside ${lo}..${hi}`);
    st.min = min;
    st.max = max;
    st.nulls = nulls;
    return i;
  };
}

/** INT64 of long, time and timestamps. */
export const encodeInt64 = bigintEncoder(64, LONG_MIN, LONG_MAX);

/** Decimal of `precision` digits stored as INT32 (precision <= 9) or INT64 (<= 18). */
export function decimalIntEncoder(precision: number): PlainEncoder {
  const lim = 10n ** BigInt(precision);
  return bigintEncoder(precision <= 9 ? 32 : 64, -lim + 1n, lim - 1n);
}

/** FLOAT (`bits` 32) or DOUBLE (64) from JS numbers; NaN counted, zero bounds widened. */
export function floatEncoder(bits: 32 | 64): PlainEncoder {
  const width = bits / 8;
  return (values, from, to, out, levels, la, st, limit) => {
    out.ensure((to - from) * width);
    const view = out.view;
    let pos = out.pos;
    let min = st.min as number | undefined;
    let max = st.max as number | undefined;
    let nulls = st.nulls;
    let nans = st.nans;
    let i = from;
    for (; i < to; i++) {
      const v = values[i];
      if (v == null) {
        if (levels === null) requiredNull();
        levels[la++] = 0;
        nulls++;
        continue;
      }
      if (levels !== null) levels[la++] = 1;
      if (typeof v !== 'number') throw new EncodeError('expected a number');
      if (bits === 64) view.setFloat64(pos, v, true);
      else view.setFloat32(pos, v, true);
      pos += width;
      if (v !== v) nans++;
      else if (min === undefined) min = max = v;
      else if (v < min) min = v;
      else if (v > max!) max = v;
      if (pos >= limit) {
        i++;
        break;
      }
    }
    out.pos = pos;
    // -0 and +0 compare equal above; widen so the bounds hold both (Parquet's rule, and safe for Iceberg)
    st.min = min === 0 ? -0 : min;
    st.max = max === 0 ? 0 : max;
    st.nulls = nulls;
    st.nans = nans;
    return i;
  };
}

/**
 * BOOLEAN: one byte per value here; `packBooleans` turns the page into PLAIN's bit-packed form
 * when the page is finished (a page spans several calls, so bits cannot be packed per call).
 */
export const encodeBooleanBytes: PlainEncoder = (values, from, to, out, levels, la, st, limit) => {
  out.ensure(to - from);
  const bytes = out.bytes;
  let pos = out.pos;
  let sawFalse = st.min === false;
  let sawTrue = st.max === true;
  let nulls = st.nulls;
  let i = from;
  for (; i < to; i++) {
    const v = values[i];
    if (v == null) {
      if (levels === null) requiredNull();
      levels[la++] = 0;
      nulls++;
      continue;
    }
    if (levels !== null) levels[la++] = 1;
    if (v === true) {
      bytes[pos++] = 1;
      sawTrue = true;
    } else if (v === false) {
      bytes[pos++] = 0;
      sawFalse = true;
    } else throw new EncodeError('expected a boolean');
    if (pos >= limit) {
      i++;
      break;
    }
  }
  out.pos = pos;
  st.min = sawFalse ? false : sawTrue ? true : undefined;
  st.max = sawTrue ? true : sawFalse ? false : undefined;
  st.nulls = nulls;
  return i;
};

/** Packs the one-byte booleans in `bytes[start, end)` in place, 8 per byte LSB first; returns the new end. */
export function packBooleans(bytes: Uint8Array, start: number, end: number): number {
  let w = start;
  for (let r = start; r < end; r += 8) {
    let b = 0;
    for (let k = 0; k < 8 && r + k < end; k++) b |= bytes[r + k]! << k;
    bytes[w++] = b;
  }
  return w;
}
