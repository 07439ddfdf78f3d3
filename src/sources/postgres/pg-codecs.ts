/**
 * Per-type decoders of PostgreSQL's binary wire format, as data: `CODECS` maps a codec id to a
 * factory that builds the decoder of one column. Values follow the contract in
 * src/iceberg/spec/types.ts (int8 → bigint, timestamps → bigint µs since 1970, date → days
 * since 1970, numeric → unscaled bigint, uuid → lowercase string, bytea → Uint8Array).
 * ±infinity of date/timestamp follow `infinity`: clamp (9999-12-31 / 0001-01-01), null or error.
 */
import { UnsupportedTypeError } from '../../core/errors.ts';
import type { IcebergValue } from '../../iceberg/spec/types.ts';
import { decodeNumericText, decodeNumericUnscaled } from './pg-numeric.ts';
import { bitText, inetText, intervalText, macaddrText, moneyText, timetzText } from './pg-text-values.ts';

/** Decodes one non-null field of `len` bytes at `off`; `view` and `buf` cover the same bytes. */
export type FieldDecoder = (view: DataView, buf: Buffer, off: number, len: number) => IcebergValue;

/** Every codec floe has; type-mapping.ts says which PostgreSQL type uses which. */
export type CodecId =
  | 'bool' | 'int2' | 'int4' | 'int8' | 'oid' | 'float4' | 'float8' | 'numeric' | 'numeric-text'
  | 'text' | 'char' | 'jsonb' | 'uuid' | 'bytea' | 'date' | 'time' | 'timestamp' | 'timestamptz'
  | 'timetz' | 'interval' | 'inet' | 'macaddr' | 'money' | 'bit' | 'array';

/** What one column's decoder needs to know. */
export interface CodecSpec {
  readonly codec: CodecId;
  /** decimal target precision/scale (numeric only). */
  readonly precision?: number;
  readonly scale?: number;
  /** Element codec (array only). */
  readonly element?: CodecSpec;
}

/** Value rules from `load` settings, and the names used in error messages. */
export interface DecodeContext {
  readonly table: string; // "schema.table", for messages
  readonly column: string;
  readonly infinity: 'clamp' | 'null' | 'error';
  readonly numericSpecialValues: 'error' | 'null';
}

/** 1970-01-01 minus 2000-01-01 (PostgreSQL's epoch) in days and in µs. */
export const PG_EPOCH_DAYS = 10957;
export const PG_EPOCH_MICROS = 946_684_800_000_000;
/** Clamp targets for ±infinity: 9999-12-31 and 0001-01-01 (days), 9999-12-31T23:59:59.999999 and 0001-01-01T00:00 (µs). */
export const DATE_MAX_DAYS = 2_932_896;
export const DATE_MIN_DAYS = -719_162;
export const TIMESTAMP_MAX_MICROS = 253_402_300_799_999_999n;
export const TIMESTAMP_MIN_MICROS = -62_135_596_800_000_000n;

const TWO32 = 4294967296;
const BIG_EPOCH = BigInt(PG_EPOCH_MICROS);
/**
 * The PostgreSQL `"char"` type as PostgreSQL prints it (charout): byte 0 is the empty string,
 * bytes 128..255 are a backslash and three octal digits, the rest the byte as a character.
 */
export function charText(byte: number): string {
  if (byte === 0) return '';
  if (byte >= 128) return `\\${byte.toString(8).padStart(3, '0')}`;
  return String.fromCharCode(byte);
}

const HEX_CODES = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** int64 at `off` plus `shift`, as bigint; one BigInt allocation when the value fits 2^52. */
function int64(view: DataView, off: number, shift: number, bigShift: bigint): bigint {
  const hi = view.getInt32(off);
  const lo = view.getUint32(off + 4);
  if (hi < 1048576 && hi >= -1048576) return BigInt(hi * TWO32 + lo + shift);
  return (BigInt(hi) << 32n) + BigInt(lo) + bigShift;
}

/** The value of ±infinity under `ctx.infinity`: the clamped value, null, or an UnsupportedTypeError naming the column. */
export function infinite(ctx: DecodeContext, positive: boolean, clamped: IcebergValue): IcebergValue {
  if (ctx.infinity === 'clamp') return clamped;
  if (ctx.infinity === 'null') return null;
  throw new UnsupportedTypeError(
    `${ctx.table}.${ctx.column}: value ${positive ? 'infinity' : '-infinity'} has no Iceberg equivalent (set load.infinity to clamp or null)`,
  );
}

function timestamp(ctx: DecodeContext): FieldDecoder {
  return (view, _buf, off) => {
    const hi = view.getInt32(off);
    const lo = view.getUint32(off + 4);
    if (hi === 0x7fffffff && lo === 0xffffffff) return infinite(ctx, true, TIMESTAMP_MAX_MICROS);
    if (hi === -0x80000000 && lo === 0) return infinite(ctx, false, TIMESTAMP_MIN_MICROS);
    if (hi < 1048576 && hi >= -1048576) return BigInt(hi * TWO32 + lo + PG_EPOCH_MICROS);
    return (BigInt(hi) << 32n) + BigInt(lo) + BIG_EPOCH;
  };
}

function numeric(spec: CodecSpec, ctx: DecodeContext): FieldDecoder {
  const precision = spec.precision ?? 38;
  const scale = spec.scale ?? 0;
  return (view, _buf, off) => {
    const v = decodeNumericUnscaled(view, off, precision, scale);
    if (typeof v === 'bigint') return v;
    const shown = decodeNumericText(view, off);
    if (v !== undefined && ctx.numericSpecialValues === 'null') return null;
    const why =
      v === undefined
        ? `does not fit decimal(${precision},${scale}) without rounding (set load.unconstrainedNumeric to 'string' or a wider decimal)`
        : `has no decimal equivalent (set load.numericSpecialValues: null, or load.unconstrainedNumeric: string)`;
    throw new UnsupportedTypeError(`${ctx.table}.${ctx.column}: numeric value ${shown} ${why}`);
  };
}

function array(spec: CodecSpec, ctx: DecodeContext): FieldDecoder {
  if (!spec.element) throw new Error(`${ctx.table}.${ctx.column}: array codec without element codec`);
  const element = buildFieldDecoder(spec.element, ctx);
  return (view, buf, off) => {
    const ndim = view.getInt32(off);
    if (ndim === 0) return [];
    if (ndim !== 1) {
      throw new UnsupportedTypeError(`${ctx.table}.${ctx.column}: a ${ndim}-dimensional array value; floe maps arrays to 1-dimensional lists`);
    }
    const n = view.getInt32(off + 12);
    const out: IcebergValue[] = new Array(n);
    let p = off + 20; // ndim, flags, element oid, size, lower bound
    for (let i = 0; i < n; i++) {
      const len = view.getInt32(p);
      p += 4;
      if (len < 0) out[i] = null;
      else {
        out[i] = element(view, buf, p, len);
        p += len;
      }
    }
    return out;
  };
}

/** Codec id → factory of the column's decoder. */
export const CODECS: Readonly<Record<CodecId, (spec: CodecSpec, ctx: DecodeContext) => FieldDecoder>> = {
  bool: () => (view, _b, off) => view.getUint8(off) !== 0,
  int2: () => (view, _b, off) => view.getInt16(off),
  int4: () => (view, _b, off) => view.getInt32(off),
  int8: () => (view, _b, off) => int64(view, off, 0, 0n),
  oid: () => (view, _b, off) => BigInt(view.getUint32(off)),
  float4: () => (view, _b, off) => view.getFloat32(off),
  float8: () => (view, _b, off) => view.getFloat64(off),
  numeric,
  'numeric-text': () => (view, _b, off) => decodeNumericText(view, off),
  text: () => (_v, buf, off, len) => buf.toString('utf8', off, off + len),
  char: () => (_v, buf, off, len) => charText(len === 0 ? 0 : buf[off]!),
  jsonb: (_s, ctx) => (_v, buf, off, len) => {
    if (buf[off] !== 1) throw new UnsupportedTypeError(`${ctx.table}.${ctx.column}: jsonb binary version ${buf[off]} (expected 1)`);
    return buf.toString('utf8', off + 1, off + len);
  },
  uuid: () => {
    const scratch = Buffer.alloc(36); // one flat string per value, no concatenation
    return (_v, b, o) => {
      let p = 0;
      for (let i = 0; i < 16; i++) {
        if (i === 4 || i === 6 || i === 8 || i === 10) scratch[p++] = 45; // '-'
        const byte = b[o + i]!;
        scratch[p++] = HEX_CODES[byte >> 4]!;
        scratch[p++] = HEX_CODES[byte & 15]!;
      }
      return scratch.toString('latin1', 0, 36);
    };
  },
  bytea: () => (_v, buf, off, len) => {
    const out = new Uint8Array(len); // a copy: a view would pin the whole network chunk
    out.set(buf.subarray(off, off + len));
    return out;
  },
  date: (_s, ctx) => (view, _b, off) => {
    const d = view.getInt32(off);
    if (d === 0x7fffffff) return infinite(ctx, true, DATE_MAX_DAYS);
    if (d === -0x80000000) return infinite(ctx, false, DATE_MIN_DAYS);
    return d + PG_EPOCH_DAYS;
  },
  time: () => (view, _b, off) => int64(view, off, 0, 0n),
  timestamp: (_s, ctx) => timestamp(ctx),
  timestamptz: (_s, ctx) => timestamp(ctx),
  timetz: () => (view, _b, off) => timetzText(view, off),
  interval: () => (view, _b, off) => intervalText(view, off),
  inet: () => (_v, buf, off) => inetText(buf, off),
  macaddr: () => (_v, buf, off, len) => macaddrText(buf, off, len),
  money: () => (view, _b, off) => moneyText(view, off),
  bit: () => (view, _b, off) => bitText(view, off),
  array,
};

/** The decoder of one column. Throws for an unknown codec id. */
export function buildFieldDecoder(spec: CodecSpec, ctx: DecodeContext): FieldDecoder {
  const factory = CODECS[spec.codec];
  if (!factory) throw new UnsupportedTypeError(`${ctx.table}.${ctx.column}: no binary codec "${spec.codec}"`);
  return factory(spec, ctx);
}
