/**
 * PLAIN encoders of Parquet's byte types: BYTE_ARRAY (string as UTF-8, binary) with a 4-byte LE
 * length before each value, and FIXED_LEN_BYTE_ARRAY (uuid from its canonical text, fixed[L],
 * decimals above 18 digits as big-endian two's complement at the spec's minimal width). Same
 * contract as plain-encoders.ts. Strings are written straight into the page buffer (ASCII by a
 * byte loop, the rest by Buffer's UTF-8 writer): no Buffer per value.
 */
import { compareBytes, compareStrings } from '../spec/compare.ts';
import { type ChunkStats, EncodeError, type PlainEncoder, requiredNull } from './plain-encoders.ts';

type Utf8Write = (this: Buffer, s: string, offset: number) => number;
/** Buffer's internal UTF-8 writer skips `write`'s argument parsing (~2.5x faster on short strings). */
const utf8Write: Utf8Write =
  (Buffer.prototype as unknown as { utf8Write?: Utf8Write }).utf8Write ??
  function (this: Buffer, s: string, offset: number): number {
    return this.write(s, offset, 'utf8');
  };

function putLength(bytes: Uint8Array, pos: number, n: number): void {
  bytes[pos] = n;
  bytes[pos + 1] = n >>> 8;
  bytes[pos + 2] = n >>> 16;
  bytes[pos + 3] = n >>> 24;
}

/** BYTE_ARRAY from JS strings (UTF-8); bounds in code point order. */
export const encodeString: PlainEncoder = (values, from, to, out, levels, la, st, limit) => {
  let bytes = out.bytes;
  let pos = out.pos;
  let min = st.min as string | undefined;
  let max = st.max as string | undefined;
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
    if (typeof v !== 'string') throw new EncodeError('expected a string');
    const len = v.length;
    if (pos + 4 + len * 3 > bytes.length) {
      out.pos = pos;
      out.ensure(4 + len * 3);
      bytes = out.bytes;
    }
    let p = pos + 4;
    let k = 0;
    for (; k < len; k++) {
      const c = v.charCodeAt(k);
      if (c >= 0x80) break;
      bytes[p++] = c;
    }
    const ascii = k === len;
    const n = ascii ? len : utf8Write.call(bytes, v, pos + 4);
    putLength(bytes, pos, n);
    pos += 4 + n;
    if (min === undefined) min = max = v;
    else if (ascii) {
      // an ASCII string orders the same by UTF-16 unit and by code point against any string
      if (v < min) min = v;
      else if (v > max!) max = v;
    } else if (compareStrings(v, min) < 0) min = v;
    else if (compareStrings(v, max!) > 0) max = v;
    if (pos >= limit) {
      i++;
      break;
    }
  }
  out.pos = pos;
  st.min = min;
  st.max = max;
  st.nulls = nulls;
  return i;
};

/** BYTE_ARRAY (`fixedLength` undefined) or FIXED_LEN_BYTE_ARRAY of that length, from Uint8Arrays. */
export function bytesEncoder(fixedLength: number | undefined): PlainEncoder {
  const prefix = fixedLength === undefined ? 4 : 0;
  return (values, from, to, out, levels, la, st, limit) => {
    let min = st.min as Uint8Array | undefined;
    let max = st.max as Uint8Array | undefined;
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
      if (!(v instanceof Uint8Array)) throw new EncodeError('expected a Uint8Array');
      if (fixedLength !== undefined && v.length !== fixedLength) throw new EncodeError(`expected ${fixedLength} bytes`);
      out.ensure(prefix + v.length);
      if (prefix) putLength(out.bytes, out.pos, v.length);
      out.bytes.set(v, out.pos + prefix);
      out.pos += prefix + v.length;
      if (min === undefined) min = max = v;
      else if (compareBytes(v, min) < 0) min = v;
      else if (compareBytes(v, max!) > 0) max = v;
      if (out.pos >= limit) {
        i++;
        break;
      }
    }
    // bounds are kept by reference: copy, the caller may reuse its arrays
    st.min = min === undefined || min === st.min ? min : min.slice();
    st.max = max === undefined || max === st.max ? max : max.slice();
    st.nulls = nulls;
    return i;
  };
}

const HEX = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) HEX[97 + c] = HEX[65 + c] = 10 + c;

/** Writes the 16 bytes of canonical uuid text `s` at `pos`; false when `s` is not 8-4-4-4-12 hex. */
function putUuid(bytes: Uint8Array, pos: number, s: string): boolean {
  if (s.length !== 36 || s.charCodeAt(8) !== 45 || s.charCodeAt(13) !== 45 || s.charCodeAt(18) !== 45 || s.charCodeAt(23) !== 45) return false;
  let k = 0;
  for (let b = 0; b < 16; b++) {
    if (k === 8 || k === 13 || k === 18 || k === 23) k++;
    const h = HEX[s.charCodeAt(k) & 127]!;
    const l = HEX[s.charCodeAt(k + 1) & 127]!;
    if (h < 0 || l < 0 || s.charCodeAt(k) > 127 || s.charCodeAt(k + 1) > 127) return false;
    bytes[pos + b] = (h << 4) | l;
    k += 2;
  }
  return true;
}

/** FIXED_LEN_BYTE_ARRAY(16) from canonical uuid strings; bounds compare the lowercase text (= byte order). */
export const encodeUuid: PlainEncoder = (values, from, to, out, levels, la, st, limit) => {
  out.ensure((to - from) * 16);
  const bytes = out.bytes;
  let pos = out.pos;
  let min = st.min as string | undefined;
  let max = st.max as string | undefined;
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
    if (typeof v !== 'string' || !putUuid(bytes, pos, v)) throw new EncodeError('expected a canonical uuid string');
    pos += 16;
    const s = v.toLowerCase();
    if (min === undefined) min = max = s;
    else if (s < min) min = s;
    else if (s > max!) max = s;
    if (pos >= limit) {
      i++;
      break;
    }
  }
  out.pos = pos;
  st.min = min;
  st.max = max;
  st.nulls = nulls;
  return i;
};

/** Decimal of `precision` > 18 digits as FIXED_LEN_BYTE_ARRAY(`width`), big-endian two's complement. */
export function decimalFixedEncoder(precision: number, width: number): PlainEncoder {
  const lim = 10n ** BigInt(precision);
  const scratch = new DataView(new ArrayBuffer(16));
  const scratchBytes = new Uint8Array(scratch.buffer);
  return (values, from, to, out, levels, la, st: ChunkStats, limit) => {
    out.ensure((to - from) * width);
    const bytes = out.bytes;
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
      if (typeof v !== 'bigint' || v <= -lim || v >= lim) throw new EncodeError(`expected an unscaled bigint of at most ${precision} digits`);
      scratch.setBigInt64(0, v >> 64n); // sign-extended high half
      scratch.setBigUint64(8, BigInt.asUintN(64, v));
      bytes.set(scratchBytes.subarray(16 - width), pos);
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
    st.min = min;
    st.max = max;
    st.nulls = nulls;
    return i;
  };
}
