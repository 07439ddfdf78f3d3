/**
 * Typed decoders of PostgreSQL's fixed-width binary values (bool, int2/4/8, oid, float4/8, date,
 * time, timestamp, timestamptz): each writes one value into a typed column builder instead of
 * returning a JS value, so decoding allocates nothing per value (no BigInt for int8 and
 * timestamps, no heap number for float8). Values equal the plain codecs' in pg-codecs.ts (same
 * epochs, same ±infinity rule); typed-batch.ts turns them back into IcebergValues on demand.
 */
import type { TypedColumn, TypedKind } from '../../iceberg/parquet/typed-batch.ts';
import type { IcebergValue } from '../../iceberg/spec/types.ts';
import {
  buildFieldDecoder, type CodecId, type CodecSpec, DATE_MAX_DAYS, DATE_MIN_DAYS, type DecodeContext, infinite, PG_EPOCH_DAYS, PG_EPOCH_MICROS,
  TIMESTAMP_MAX_MICROS, TIMESTAMP_MIN_MICROS,
} from './pg-codecs.ts';
import type { PgTable } from './pg-table.ts';
import type { MappedColumn, MappingOptions } from './type-mapping.ts';

const EMPTY_I32 = new Int32Array(0);
const EMPTY_F32 = new Float32Array(0);
const EMPTY_F64 = new Float64Array(0);
const EMPTY_U8 = new Uint8Array(0);
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));
const viewOf = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
/** Bytes per row of a kind's data (int64: two int32 words). */
const WIDTH: Readonly<Record<TypedKind, number>> = { int32: 4, int64: 8, float32: 4, float64: 8, boolean: 1, utf8: 8 };

/** Rows of one typed column being decoded (arrays are views into its set's slab; unused ones empty). */
export interface TypedColumnBuilder {
  readonly kind: TypedKind;
  i32: Int32Array;
  f32: Float32Array;
  f64: Float64Array;
  u8: Uint8Array;
  nulls: Uint8Array;
  /** utf8: the values' bytes (i32 holds start and length per row), written up to `bytesPos`. */
  bytes: Uint8Array;
  bytesView: DataView;
  bytesPos: number;
}

/**
 * The typed columns of one decoder: every builder's arrays live in one ArrayBuffer per batch
 * (one allocation instead of one per column and array: measured fewer GCs), grown by doubling.
 */
export class TypedColumnSet {
  readonly builders: (TypedColumnBuilder | undefined)[];
  /** Rows every builder has room for. */
  capacity = 0;

  constructor(kinds: readonly (TypedKind | undefined)[]) {
    this.builders = kinds.map((kind) => (kind === undefined ? undefined : { kind, i32: EMPTY_I32, f32: EMPTY_F32, f64: EMPTY_F64, u8: EMPTY_U8, nulls: EMPTY_U8, bytes: EMPTY_U8, bytesView: EMPTY_VIEW, bytesPos: 0 }));
  }

  /** Rows the next batch's first slab holds (sized from the last batch). */
  private nextCapacity = 1024;

  /** Makes room for row index `row`, keeping the rows decoded so far. */
  ensure(row: number): void {
    if (row < this.capacity) return;
    let cap = this.capacity === 0 ? this.nextCapacity : this.capacity * 2;
    while (cap <= row) cap *= 2;
    this.allocate(cap, this.capacity > 0);
  }

  /**
   * The columns decoded so far (undefined where not typed), `rows` of them. The batch keeps these
   * arrays; the next batch gets fresh memory at its first row, sized `rows` + 25% (doubling from
   * the last capacity made every 8192-row batch, which overshoots by a socket read, a 16384-row
   * slab: ArrayBuffer churn drives the load workers' mark-compact GCs).
   */
  finish(rows = this.capacity): (TypedColumn | undefined)[] {
    const out = this.builders.map((b) => b && (b.kind === 'utf8' ? { kind: b.kind, data: dataOf(b), nulls: b.nulls, bytes: b.bytes.subarray(0, b.bytesPos) } : { kind: b.kind, data: dataOf(b), nulls: b.nulls }));
    if (this.capacity > 0) {
      this.nextCapacity = Math.max(1024, Math.ceil((rows * 1.25) / 1024) * 1024);
      this.capacity = 0;
      for (const b of this.builders) {
        if (b === undefined) continue;
        // utf8: the next batch's bytes start at this batch's size + 25% (growth copies)
        const bytes = b.kind === 'utf8' ? Buffer.allocUnsafe(Math.max(4096, Math.ceil(b.bytesPos * 1.25))) : EMPTY_U8;
        Object.assign(b, { i32: EMPTY_I32, f32: EMPTY_F32, f64: EMPTY_F64, u8: EMPTY_U8, nulls: EMPTY_U8, bytes, bytesView: viewOf(bytes), bytesPos: 0 });
      }
    }
    return out;
  }

  private allocate(cap: number, keep: boolean): void {
    let bytes = 0;
    for (const b of this.builders) if (b) bytes += cap * WIDTH[b.kind] + cap;
    const slab = new ArrayBuffer(bytes + 8 * this.builders.length);
    let at = 0;
    const take = (n: number): number => {
      const start = at;
      at += Math.ceil(n / 8) * 8;
      return start;
    };
    for (const b of this.builders) {
      if (!b) continue;
      const width = WIDTH[b.kind];
      const dataAt = take(cap * width);
      const old = dataOf(b);
      if (b.kind === 'int32' || b.kind === 'int64' || b.kind === 'utf8') b.i32 = new Int32Array(slab, dataAt, (cap * width) / 4);
      else if (b.kind === 'float32') b.f32 = new Float32Array(slab, dataAt, cap);
      else if (b.kind === 'float64') b.f64 = new Float64Array(slab, dataAt, cap);
      else b.u8 = new Uint8Array(slab, dataAt, cap);
      const nulls = new Uint8Array(slab, take(cap), cap);
      if (keep) {
        dataOf(b).set(old as never);
        nulls.set(b.nulls);
      }
      b.nulls = nulls;
    }
    this.capacity = cap;
  }
}

function dataOf(b: TypedColumnBuilder): Int32Array | Float32Array | Float64Array | Uint8Array {
  return b.kind === 'int32' || b.kind === 'int64' || b.kind === 'utf8' ? b.i32 : b.kind === 'float32' ? b.f32 : b.kind === 'float64' ? b.f64 : b.u8;
}

/** Decodes one non-null field of `len` bytes at `off` into row `row` of `b` (which has room). */
export type TypedFieldDecoder = (view: DataView, buf: Buffer, off: number, len: number, b: TypedColumnBuilder, row: number) => void;

/** A column's typed decoder and the kind of column it fills. */
export interface TypedCodec {
  readonly kind: TypedKind;
  readonly decode: TypedFieldDecoder;
}

const TWO32 = 4294967296;

/** Stores `v` (an integer, exact when |v| < 2^53) as the int64 of row `row`. */
function putNumber(b: TypedColumnBuilder, row: number, v: number): void {
  const hi = Math.floor(v / TWO32);
  b.i32[2 * row] = (v - hi * TWO32) | 0;
  b.i32[2 * row + 1] = hi;
}

function putBigint(b: TypedColumnBuilder, row: number, v: bigint): void {
  b.i32[2 * row] = Number(BigInt.asIntN(32, v));
  b.i32[2 * row + 1] = Number(v >> 32n);
}

/** Stores what the plain codec's ±infinity rule gives (clamped value or null; 'error' throws). */
function putInfinite(ctx: DecodeContext, positive: boolean, clamped: IcebergValue, b: TypedColumnBuilder, row: number): void {
  const v = infinite(ctx, positive, clamped);
  if (v === null) b.nulls[row] = 1;
  else if (typeof v === 'bigint') putBigint(b, row, v);
  else b.i32[row] = v as number;
}

function timestamp(ctx: DecodeContext): TypedCodec {
  const bigEpoch = BigInt(PG_EPOCH_MICROS);
  return {
    kind: 'int64',
    decode: (view, _buf, off, _len, b, row) => {
      const hi = view.getInt32(off);
      const lo = view.getUint32(off + 4);
      if (hi === 0x7fffffff && lo === 0xffffffff) return putInfinite(ctx, true, TIMESTAMP_MAX_MICROS, b, row);
      if (hi === -0x80000000 && lo === 0) return putInfinite(ctx, false, TIMESTAMP_MIN_MICROS, b, row);
      if (hi < 1048576 && hi >= -1048576) return putNumber(b, row, hi * TWO32 + lo + PG_EPOCH_MICROS);
      putBigint(b, row, (BigInt(hi) << 32n) + BigInt(lo) + bigEpoch);
    },
  };
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i); // exact as doubles up to 1e22

/**
 * numeric(p <= 18, s) as its unscaled int64. Values of up to 3 base-10000 digits whose unscaled
 * value is below 2^53 are computed as numbers (no BigInt); anything else (and every error, NaN
 * or ±Infinity rule) goes through the plain codec, so results and messages are the same.
 */
function numeric(spec: CodecSpec, ctx: DecodeContext): TypedCodec | undefined {
  const precision = spec.precision ?? 38;
  const scale = spec.scale ?? 0;
  if (precision > 18) return undefined;
  const plain = buildFieldDecoder(spec, ctx);
  const limit = POW10[precision]!;
  return {
    kind: 'int64',
    decode: (view, buf, off, len, b, row) => {
      const ndigits = view.getInt16(off);
      const sign = view.getUint16(off + 4);
      if (ndigits <= 3 && (sign === 0 || sign === 0x4000)) {
        let n = 0;
        for (let i = 0, p = off + 8; i < ndigits; i++, p += 2) n = n * 10000 + view.getInt16(p);
        const exp = 4 * (view.getInt16(off + 2) - ndigits + 1) + scale; // power of ten of the last digit, scaled
        let v = -1;
        if (ndigits === 0) v = 0;
        else if (exp >= 0 && exp <= 22 && n * POW10[exp]! <= Number.MAX_SAFE_INTEGER) v = n * POW10[exp]!;
        else if (exp < 0 && exp >= -22 && n % POW10[-exp]! === 0) v = n / POW10[-exp]!;
        if (v >= 0 && v < limit) return putNumber(b, row, sign === 0x4000 ? -v : v);
      }
      const x = plain(view, buf, off, len); // bigint, null (special value as null), or throws
      if (x === null) b.nulls[row] = 1;
      else putBigint(b, row, x as bigint);
    },
  };
}

/** Appends `len` bytes at `off` of `buf` to a utf8 builder as row `row` (validity is checked per batch: see the decoder). */
function putUtf8(view: DataView, buf: Buffer, off: number, len: number, b: TypedColumnBuilder, row: number): void {
  const at = b.bytesPos;
  if (at + len > b.bytes.length) {
    const grown = Buffer.allocUnsafe(Math.max(2 * b.bytes.length, at + len, 4096));
    grown.set(b.bytes.subarray(0, at));
    b.bytes = grown;
    b.bytesView = viewOf(grown);
  }
  if (len <= 64) {
    // short values (most text): four bytes a step through DataViews beats a native copy call
    const bytes = b.bytes;
    const dst = b.bytesView;
    let k = 0;
    for (; k + 4 <= len; k += 4) dst.setUint32(at + k, view.getUint32(off + k));
    for (; k < len; k++) bytes[at + k] = buf[off + k]!;
  } else buf.copy(b.bytes, at, off, off + len);
  b.i32[2 * row] = at;
  b.i32[2 * row + 1] = len;
  b.bytesPos = at + len;
}

/** Codec id -> typed codec factory, for the codecs that have one (undefined: values stay plain). */
const TYPED: Partial<Record<CodecId, (ctx: DecodeContext, spec: CodecSpec) => TypedCodec | undefined>> = {
  bool: () => ({ kind: 'boolean', decode: (view, _buf, off, _l, b, row) => void (b.u8[row] = view.getUint8(off) !== 0 ? 1 : 0) }),
  int2: () => ({ kind: 'int32', decode: (view, _buf, off, _l, b, row) => void (b.i32[row] = view.getInt16(off)) }),
  int4: () => ({ kind: 'int32', decode: (view, _buf, off, _l, b, row) => void (b.i32[row] = view.getInt32(off)) }),
  int8: () => ({
    kind: 'int64',
    decode: (view, _buf, off, _l, b, row) => {
      b.i32[2 * row] = view.getInt32(off + 4);
      b.i32[2 * row + 1] = view.getInt32(off);
    },
  }),
  oid: () => ({ kind: 'int64', decode: (view, _buf, off, _l, b, row) => putNumber(b, row, view.getUint32(off)) }),
  float4: () => ({ kind: 'float32', decode: (view, _buf, off, _l, b, row) => void (b.f32[row] = view.getFloat32(off)) }),
  float8: () => ({ kind: 'float64', decode: (view, _buf, off, _l, b, row) => void (b.f64[row] = view.getFloat64(off)) }),
  date: (ctx) => ({
    kind: 'int32',
    decode: (view, _buf, off, _l, b, row) => {
      const d = view.getInt32(off);
      if (d === 0x7fffffff) return putInfinite(ctx, true, DATE_MAX_DAYS, b, row);
      if (d === -0x80000000) return putInfinite(ctx, false, DATE_MIN_DAYS, b, row);
      b.i32[row] = d + PG_EPOCH_DAYS;
    },
  }),
  time: () => ({
    kind: 'int64',
    decode: (view, _buf, off, _l, b, row) => {
      b.i32[2 * row] = view.getInt32(off + 4);
      b.i32[2 * row + 1] = view.getInt32(off);
    },
  }),
  timestamp,
  timestamptz: timestamp,
  numeric: (ctx, spec) => numeric(spec, ctx),
  text: () => ({ kind: 'utf8', decode: putUtf8 }),
};

/** The typed codec of a column, or undefined when its values stay plain (text, numeric, arrays, ...). */
export function typedCodecFor(spec: CodecSpec, ctx: DecodeContext): TypedCodec | undefined {
  return TYPED[spec.codec]?.(ctx, spec);
}

/** Per column of a mapped table: its typed codec, or undefined where values stay plain (see `columnDecoders`). */
export function typedColumnCodecs(table: PgTable, columns: readonly MappedColumn[], options: MappingOptions): (TypedCodec | undefined)[] {
  const label = `${table.schema}.${table.name}`;
  return columns.map((c) =>
    typedCodecFor(c.codec, { table: label, column: c.column.name, infinity: options.infinity, numericSpecialValues: options.numericSpecialValues }),
  );
}
