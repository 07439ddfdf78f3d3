/**
 * The change-wire format's constants and checksum, shared by its writer and reader (the layout
 * is described in change-wire.ts).
 */
import type { ChangeOp } from '../../core/change.ts';

export const MAGIC = [0xf1, 0x0e, 0x43, 0x57] as const;
export const VERSION = 1;

export const T_NULL = 0;
export const T_FALSE = 1;
export const T_TRUE = 2;
export const T_INT32 = 3;
export const T_FLOAT64 = 4;
export const T_INT64 = 5;
export const T_BIGINT_POS = 6;
export const T_BIGINT_NEG = 7;
export const T_ASCII = 8;
export const T_UTF8 = 9;
export const T_UTF16 = 10;
export const T_BYTES = 11;
export const T_LIST = 12;
export const T_MAP = 13;
export const T_STRUCT = 14;

/**
 * Int64 through a one-element BigInt64Array: a store wraps modulo 2^64, so reading back the
 * same value proves the range, and byte copies beat DataView.setBigInt64 (5 ns vs 24 with the
 * range check). Its bytes are in platform order: used only where that is little-endian.
 */
export const INT64 = new BigInt64Array(1);
export const INT64_BYTES = new Uint8Array(INT64.buffer);
export const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

export const OPS: readonly ChangeOp[] = ['upsert', 'delete', 'truncate'];
export const OP_CODES: Readonly<Record<string, number>> = { upsert: 0, delete: 1, truncate: 2 };
export const F_OP = 0x03;
export const F_KEY = 0x04;
export const F_AFTER = 0x08;
export const F_BEFORE = 0x10;
export const F_UNCHANGED = 0x20;
export const F_COMMIT_TIME = 0x40;
export const F_ORIGIN = 0x80;
/** Position flags: bits 0-6 the SourcePosition fields in declaration order, then snapshot. */
export const P_SNAPSHOT = 0x80;
export const P_SNAPSHOT_TRUE = 0x100;

/**
 * FNV-1a with a rotation over little-endian 32-bit words of bytes [0, length), even and odd
 * words in two lanes (twice as fast: the lanes do not wait on each other). Each step is a
 * bijection of its lane, so any one corrupt word changes the result; ~0.2 ns a byte.
 */
export function checksum(view: DataView, length: number): number {
  let even = 0x811c9dc5;
  let odd = 0x050c5d1f;
  const pairs = length - (length % 8);
  for (let i = 0; i < pairs; i += 8) {
    even = Math.imul(even ^ view.getInt32(i, true), 0x01000193);
    odd = Math.imul(odd ^ view.getInt32(i + 4, true), 0x01000193);
    even = (even << 13) | (even >>> 19);
    odd = (odd << 13) | (odd >>> 19);
  }
  for (let i = pairs; i < length; i++) {
    even = Math.imul(even ^ view.getUint8(i), 0x01000193);
    even = (even << 13) | (even >>> 19);
  }
  return even ^ Math.imul(odd, 0x9e3779b1);
}

/** Node's Buffer slicers without the argument checks of `toString` (fastest for short strings). */
export interface SliceBuffer<B extends ArrayBufferLike = ArrayBufferLike> extends Buffer<B> {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
  ucs2Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
}
