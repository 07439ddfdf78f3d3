/**
 * Binary single-value serialization (spec Appendix D), the form of manifest lower/upper
 * bounds and partition summaries, plus the truncation Iceberg applies to string and binary
 * bounds (default metrics mode `truncate(16)`).
 */
import type { IcebergValue, PrimitiveType } from './types.ts';
import { BadEventError, CorruptFileError } from '../../core/errors.ts';
import { bytesToUuid, MICROS_PER_DAY, uuidToBytes } from './values.ts';

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function bad(type: PrimitiveType, value: IcebergValue, why: string): never {
  throw new BadEventError(`cannot serialize ${String(value)} (${typeof value}) as ${type.type}: ${why}`);
}

function asInt(type: PrimitiveType, v: IcebergValue): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < INT_MIN || v > INT_MAX) bad(type, v, 'expected a 32-bit integer number');
  return v;
}

function asLong(type: PrimitiveType, v: IcebergValue): bigint {
  if (typeof v !== 'bigint' || v < LONG_MIN || v > LONG_MAX) bad(type, v, 'expected a 64-bit bigint');
  return v;
}

function asBytes(type: PrimitiveType, v: IcebergValue): Uint8Array {
  if (!(v instanceof Uint8Array)) bad(type, v, 'expected a Uint8Array');
  return v;
}

function fixedWidth(width: number, write: (view: DataView) => void): Uint8Array {
  const out = new Uint8Array(width);
  write(new DataView(out.buffer));
  return out;
}

/**
 * Unscaled decimal -> two's-complement big-endian bytes, as few as hold the value
 * (0 -> [00], 127 -> [7f], 128 -> [00 80], -1 -> [ff]). Also the input of the decimal bucket hash.
 */
export function decimalToMinBytes(unscaled: bigint): Uint8Array {
  let n = 1;
  while (unscaled < -(1n << BigInt(8 * n - 1)) || unscaled >= 1n << BigInt(8 * n - 1)) n++;
  let u = BigInt.asUintN(8 * n, unscaled);
  const out = new Uint8Array(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}

/** Two's-complement big-endian bytes (any length >= 1) -> unscaled decimal. */
export function decimalFromBytes(bytes: Uint8Array): bigint {
  let u = 0n;
  for (const b of bytes) u = (u << 8n) | BigInt(b);
  return BigInt.asIntN(8 * bytes.length, u);
}

type Writer = (type: PrimitiveType, v: IcebergValue) => Uint8Array;

const int32: Writer = (t, v) => fixedWidth(4, (d) => d.setInt32(0, asInt(t, v), true));
const int64: Writer = (t, v) => fixedWidth(8, (d) => d.setBigInt64(0, asLong(t, v), true));

const WRITERS: Record<PrimitiveType['type'], Writer> = {
  boolean: (t, v) => (typeof v === 'boolean' ? Uint8Array.of(v ? 1 : 0) : bad(t, v, 'expected a boolean')),
  int: int32,
  date: int32,
  long: int64,
  time: int64,
  timestamp: int64,
  timestamptz: int64,
  float: (t, v) => fixedWidth(4, (d) => d.setFloat32(0, typeof v === 'number' ? v : bad(t, v, 'expected a number'), true)),
  double: (t, v) => fixedWidth(8, (d) => d.setFloat64(0, typeof v === 'number' ? v : bad(t, v, 'expected a number'), true)),
  decimal: (t, v) => decimalToMinBytes(typeof v === 'bigint' ? v : bad(t, v, 'expected the unscaled bigint')),
  string: (t, v) => utf8Encoder.encode(typeof v === 'string' ? v : bad(t, v, 'expected a string')),
  uuid: (t, v) => uuidToBytes(typeof v === 'string' ? v : bad(t, v, 'expected a uuid string')),
  binary: (t, v) => asBytes(t, v).slice(),
  fixed: (t, v) => {
    const bytes = asBytes(t, v);
    if (t.type === 'fixed' && bytes.length !== t.length) bad(t, v, `expected ${t.length} bytes, got ${bytes.length}`);
    return bytes.slice();
  },
};

/**
 * A non-null value -> its binary single-value form: ints/dates 4 bytes LE, longs/times/
 * timestamps 8 bytes LE, floats IEEE LE (NaN and -0 kept bit for bit), decimals minimal BE
 * two's complement, uuids 16 bytes BE, strings UTF-8, binary/fixed as is (copied).
 * Throws BadEventError on null or a value of the wrong representation or range.
 */
export function toSingleValue(type: PrimitiveType, value: IcebergValue): Uint8Array {
  if (value === null) bad(type, value, 'null has no single-value form');
  return WRITERS[type.type](type, value);
}

type Reader = (type: PrimitiveType, bytes: Uint8Array, view: DataView) => IcebergValue;

function corrupt(type: PrimitiveType, bytes: Uint8Array, expected: string): never {
  throw new CorruptFileError(`single value of ${type.type} has ${bytes.length} bytes, expected ${expected}`);
}

const sized =
  (widths: Record<number, Reader>): Reader =>
  (t, b, d) =>
    (widths[b.length] ?? (() => corrupt(t, b, Object.keys(widths).join(' or '))))(t, b, d);

const readInt: Reader = (_t, _b, d) => d.getInt32(0, true);
const readLong: Reader = (_t, _b, d) => d.getBigInt64(0, true);
// Bounds keep the width of the type at write time (spec "Schema Evolution"): a 4-byte bound
// of a long was an int, of a double a float, of a timestamp a date (midnight).
const readIntAsLong: Reader = (_t, _b, d) => BigInt(d.getInt32(0, true));
const readDateAsTimestamp: Reader = (_t, _b, d) => BigInt(d.getInt32(0, true)) * MICROS_PER_DAY;

const READERS: Record<PrimitiveType['type'], Reader> = {
  boolean: sized({ 1: (_t, b) => b[0] !== 0 }),
  int: sized({ 4: readInt }),
  date: sized({ 4: readInt }),
  long: sized({ 4: readIntAsLong, 8: readLong }),
  time: sized({ 8: readLong }),
  timestamp: sized({ 4: readDateAsTimestamp, 8: readLong }),
  timestamptz: sized({ 4: readDateAsTimestamp, 8: readLong }),
  float: sized({ 4: (_t, _b, d) => d.getFloat32(0, true) }),
  double: sized({ 4: (_t, _b, d) => d.getFloat32(0, true), 8: (_t, _b, d) => d.getFloat64(0, true) }),
  decimal: (t, b) => (b.length > 0 ? decimalFromBytes(b) : corrupt(t, b, 'at least 1')),
  string: (t, b) => {
    try {
      return utf8Decoder.decode(b);
    } catch (cause) {
      throw new CorruptFileError(`single value of string is not valid UTF-8 (${b.length} bytes)`, { cause });
    }
  },
  uuid: sized({ 16: (_t, b) => bytesToUuid(b) }),
  binary: (_t, b) => b.slice(),
  fixed: (t, b) => (t.type !== 'fixed' || b.length === t.length ? b.slice() : corrupt(t, b, String(t.length))),
};

/**
 * Binary single-value form -> in-memory value of `type` (inverse of `toSingleValue`).
 * Accepts the narrower widths left by type promotion (4-byte long/double/timestamp bounds).
 * Throws CorruptFileError on an impossible length or invalid UTF-8.
 */
export function fromSingleValue(type: PrimitiveType, bytes: Uint8Array): IcebergValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return READERS[type.type](type, bytes, view);
}

/** Default length of truncated string/binary bounds (Iceberg's `truncate(16)` metrics mode). */
export const DEFAULT_BOUND_LENGTH = 16;

function truncateCodePoints(s: string, length: number): string | undefined {
  let units = 0;
  let points = 0;
  while (units < s.length) {
    if (points === length) return s.slice(0, units);
    const code = s.codePointAt(units)!;
    units += code > 0xffff ? 2 : 1;
    points++;
  }
  return undefined; // short enough already
}

/**
 * Lower bound of `value` cut to `length` code points (string) or bytes (binary): a prefix,
 * hence <= value. Other types, and values already short enough, are returned unchanged.
 */
export function truncateLowerBound(type: PrimitiveType, value: IcebergValue, length = DEFAULT_BOUND_LENGTH): IcebergValue {
  if (type.type === 'string' && typeof value === 'string') return truncateCodePoints(value, length) ?? value;
  if (type.type === 'binary' && value instanceof Uint8Array && value.length > length) return value.slice(0, length);
  return value;
}

function incrementCodePoint(code: number): number | undefined {
  if (code === 0x10ffff) return undefined;
  return code === 0xd7ff ? 0xe000 : code + 1; // skip surrogates: not valid in UTF-8
}

/**
 * Upper bound of `value` within `length` code points (string) or bytes (binary): the prefix
 * with its last code point (byte) incremented, dropping trailing ones that cannot be
 * incremented (U+10FFFF, 0xff). Returns null when no such bound exists (all maximal).
 * Other types, and values already short enough, are returned unchanged.
 */
export function truncateUpperBound(type: PrimitiveType, value: IcebergValue, length = DEFAULT_BOUND_LENGTH): IcebergValue {
  if (type.type === 'string' && typeof value === 'string') {
    const prefix = truncateCodePoints(value, length);
    if (prefix === undefined) return value;
    const points = Array.from(prefix, (c) => c.codePointAt(0)!);
    for (let i = points.length - 1; i >= 0; i--) {
      const next = incrementCodePoint(points[i]!);
      if (next !== undefined) return String.fromCodePoint(...points.slice(0, i), next);
    }
    return null;
  }
  if (type.type === 'binary' && value instanceof Uint8Array && value.length > length) {
    for (let i = length - 1; i >= 0; i--) {
      if (value[i] !== 0xff) {
        const out = value.slice(0, i + 1);
        out[i]! += 1;
        return out;
      }
    }
    return null;
  }
  return value;
}
