/**
 * PLAIN encoders of typed columns (typed-batch.ts): the same contract and statistics as
 * plain-encoders.ts, reading machine words instead of JS values, so no value is boxed. int64
 * bounds are tracked as (high, unsigned low) word pairs and become bigints once per call.
 */
import type { IcebergType } from '../spec/types.ts';
import type { ByteBuffer } from './byte-buffer.ts';
import { type ChunkStats, EncodeError, requiredNull } from './plain-encoders.ts';
import type { TypedColumn, TypedKind } from './typed-batch.ts';
import { encodeUtf8 } from './typed-utf8-encoder.ts';

/** Encodes rows `[from, to)` of a typed column; returns the index after the last row taken. */
export type TypedEncoder = (
  col: TypedColumn,
  from: number,
  to: number,
  out: ByteBuffer,
  levels: Uint8Array | null,
  levelAt: number,
  st: ChunkStats,
  limit: number,
) => number;

/** Which typed kind can feed a leaf of each Iceberg type (anything else: materialized values). */
const KIND_OF: Partial<Record<IcebergType['type'], TypedKind>> = {
  int: 'int32', date: 'int32', long: 'int64', time: 'int64', timestamp: 'int64', timestamptz: 'int64',
  float: 'float32', double: 'float64', boolean: 'boolean', string: 'utf8',
};

/**
 * The encoder of a typed column of `kind` for a leaf of Iceberg type `t`, or undefined when the
 * column does not hold exactly that type's values (the caller then encodes materialized values).
 * Decimals of up to 18 digits come as int64 (the unscaled value) and are INT32 up to 9 digits.
 */
export function typedEncoderFor(kind: TypedKind, t: IcebergType): TypedEncoder | undefined {
  if (t.type === 'decimal') return kind === 'int64' && t.precision <= 18 ? decimalEncoder(t.precision) : undefined;
  return KIND_OF[t.type] === kind ? TYPED_ENCODERS[kind] : undefined;
}

/** Decimal words, range-checked on the bounds (a table decimal narrower than the source's must fail, not wrap). */
function decimalEncoder(precision: number): TypedEncoder {
  const lim = 10n ** BigInt(precision);
  const encode = precision <= 9 ? encodeInt64AsInt32 : encodeInt64;
  return (col, from, to, out, levels, la, st, limit) => {
    const next = encode(col, from, to, out, levels, la, st, limit);
    if ((st.min !== undefined && (st.min as bigint) <= -lim) || (st.max !== undefined && (st.max as bigint) >= lim)) {
      throw new EncodeError(`decimal value outside ${precision} digits`);
    }
    return next;
  };
}

/** A null where the column is required: the caller reports it through value-check.ts. */
function nullLevel(levels: Uint8Array | null): Uint8Array {
  return levels ?? requiredNull();
}

const encodeInt32: TypedEncoder = (col, from, to, out, levels, la, st, limit) => {
  out.ensure((to - from) * 4);
  const view = out.view;
  const data = col.data as Int32Array;
  const nulls = col.nulls;
  let pos = out.pos;
  let min = st.min as number | undefined;
  let max = st.max as number | undefined;
  let nullCount = st.nulls;
  let i = from;
  for (; i < to; i++) {
    if (nulls[i] === 1) {
      nullLevel(levels)[la++] = 0;
      nullCount++;
      continue;
    }
    if (levels !== null) levels[la++] = 1;
    const v = data[i]!;
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
  st.min = min;
  st.max = max;
  st.nulls = nullCount;
  return i;
};

const TWO32 = 4294967296;
const hiOf = (v: bigint): number => Number(v >> 32n);
const loOf = (v: bigint): number => Number(BigInt.asUintN(32, v));
const toBig = (hi: number, lo: number): bigint => (hi < 2097152 && hi >= -2097152 ? BigInt(hi * TWO32 + lo) : (BigInt(hi) << 32n) | BigInt(lo));

/** INT64 (`bits` 64) or, for values known to fit (decimals of <= 9 digits), INT32 of the low word. */
const int64Encoder = (bits: 32 | 64): TypedEncoder => (col, from, to, out, levels, la, st, limit) => {
  const width = bits / 8;
  out.ensure((to - from) * width);
  const view = out.view;
  const data = col.data as Int32Array;
  const nulls = col.nulls;
  let pos = out.pos;
  let seen = st.min !== undefined;
  let minHi = seen ? hiOf(st.min as bigint) : 0;
  let minLo = seen ? loOf(st.min as bigint) : 0;
  let maxHi = seen ? hiOf(st.max as bigint) : 0;
  let maxLo = seen ? loOf(st.max as bigint) : 0;
  let nullCount = st.nulls;
  let i = from;
  for (; i < to; i++) {
    if (nulls[i] === 1) {
      nullLevel(levels)[la++] = 0;
      nullCount++;
      continue;
    }
    if (levels !== null) levels[la++] = 1;
    const lo = data[2 * i]!;
    const hi = data[2 * i + 1]!;
    view.setInt32(pos, lo, true);
    if (bits === 64) view.setInt32(pos + 4, hi, true);
    pos += width;
    const ulo = lo >>> 0;
    if (!seen) {
      seen = true;
      minHi = maxHi = hi;
      minLo = maxLo = ulo;
    } else if (hi < minHi || (hi === minHi && ulo < minLo)) {
      minHi = hi;
      minLo = ulo;
    } else if (hi > maxHi || (hi === maxHi && ulo > maxLo)) {
      maxHi = hi;
      maxLo = ulo;
    }
    if (pos >= limit) {
      i++;
      break;
    }
  }
  out.pos = pos;
  if (seen) {
    st.min = toBig(minHi, minLo);
    st.max = toBig(maxHi, maxLo);
  }
  st.nulls = nullCount;
  return i;
};
const encodeInt64 = int64Encoder(64);
const encodeInt64AsInt32 = int64Encoder(32);

function floatEncoder(bits: 32 | 64): TypedEncoder {
  const width = bits / 8;
  return (col, from, to, out, levels, la, st, limit) => {
    out.ensure((to - from) * width);
    const view = out.view;
    const data = col.data as Float32Array | Float64Array;
    const nulls = col.nulls;
    let pos = out.pos;
    let min = st.min as number | undefined;
    let max = st.max as number | undefined;
    let nullCount = st.nulls;
    let nans = st.nans;
    let i = from;
    for (; i < to; i++) {
      if (nulls[i] === 1) {
        nullLevel(levels)[la++] = 0;
        nullCount++;
        continue;
      }
      if (levels !== null) levels[la++] = 1;
      const v = data[i]!;
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
    st.min = min === 0 ? -0 : min; // widen zero bounds, as plain-encoders.ts
    st.max = max === 0 ? 0 : max;
    st.nulls = nullCount;
    st.nans = nans;
    return i;
  };
}

/** One byte per value, bit-packed when the page is finished (as plain-encoders.ts). */
const encodeBoolean: TypedEncoder = (col, from, to, out, levels, la, st, limit) => {
  out.ensure(to - from);
  const bytes = out.bytes;
  const data = col.data as Uint8Array;
  const nulls = col.nulls;
  let pos = out.pos;
  let sawFalse = st.min === false;
  let sawTrue = st.max === true;
  let nullCount = st.nulls;
  let i = from;
  for (; i < to; i++) {
    if (nulls[i] === 1) {
      nullLevel(levels)[la++] = 0;
      nullCount++;
      continue;
    }
    if (levels !== null) levels[la++] = 1;
    const v = data[i]!;
    bytes[pos++] = v;
    if (v === 1) sawTrue = true;
    else sawFalse = true;
    if (pos >= limit) {
      i++;
      break;
    }
  }
  out.pos = pos;
  st.min = sawFalse ? false : sawTrue ? true : undefined;
  st.max = sawTrue ? true : sawFalse ? false : undefined;
  st.nulls = nullCount;
  return i;
};

/** The encoder of each typed kind (for its non-decimal Iceberg types). */
const TYPED_ENCODERS: Readonly<Record<TypedKind, TypedEncoder>> = {
  int32: encodeInt32,
  int64: encodeInt64,
  float32: floatEncoder(32),
  float64: floatEncoder(64),
  boolean: encodeBoolean,
  utf8: encodeUtf8,
};
