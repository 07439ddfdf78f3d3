/**
 * PLAIN BYTE_ARRAY encoder of a `utf8` typed column (typed-batch.ts): the values' UTF-8 bytes
 * are copied as they came from the source, so no JS string is made per value (decoding
 * PostgreSQL text into strings and encoding them back was ~20% of a load worker's CPU). Same
 * output and statistics as encodeString in plain-bytes-encoders.ts: bounds in code point
 * order, which for valid UTF-8 is byte order; only the two bounds become strings, once a call.
 */
import { compareStrings } from '../spec/compare.ts';
import { requiredNull, type ChunkStats } from './plain-encoders.ts';
import type { TypedEncoder } from './typed-encoders.ts';

/** Byte order of src[a, a + an) and src[b, b + bn); four bytes a step (values often share a prefix). */
function compareRanges(src: Uint8Array, sv: DataView, a: number, an: number, b: number, bn: number): number {
  const n = an < bn ? an : bn;
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const x = sv.getUint32(a + k);
    const y = sv.getUint32(b + k);
    if (x !== y) return x < y ? -1 : 1;
  }
  for (; k < n; k++) {
    const d = src[a + k]! - src[b + k]!;
    if (d !== 0) return d;
  }
  return an - bn;
}

function mergeBounds(st: ChunkStats, src: Uint8Array, minAt: number, minLen: number, maxAt: number, maxLen: number): void {
  const buf = Buffer.from(src.buffer, src.byteOffset, src.byteLength);
  const lo = buf.toString('utf8', minAt, minAt + minLen);
  const hi = buf.toString('utf8', maxAt, maxAt + maxLen);
  if (st.min === undefined || compareStrings(lo, st.min as string) < 0) st.min = lo;
  if (st.max === undefined || compareStrings(hi, st.max as string) > 0) st.max = hi;
}

/** Encodes rows `[from, to)` of a utf8 column; returns the index after the last row taken. */
export const encodeUtf8: TypedEncoder = (col, from, to, out, levels, la, st, limit) => {
  const data = col.data as Int32Array;
  const nulls = col.nulls;
  const src = col.bytes!;
  const sv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  let bytes = out.bytes;
  let pos = out.pos;
  let minAt = -1;
  let minLen = 0;
  let maxAt = -1;
  let maxLen = 0;
  let nullCount = st.nulls;
  // The last value copied and where its bytes went: a repeat (a delete file's file_path on every
  // row) is copied from there inside `bytes`, natively and without a view a row.
  let lastAt = -1;
  let lastLen = -1;
  let lastPos = -1;
  let i = from;
  for (; i < to; i++) {
    if (nulls[i] === 1) {
      (levels ?? requiredNull())[la++] = 0;
      nullCount++;
      continue;
    }
    if (levels !== null) levels[la++] = 1;
    const s = data[2 * i]!;
    const n = data[2 * i + 1]!;
    if (pos + 4 + n > bytes.length) {
      out.pos = pos;
      out.ensure(4 + n);
      if (out.bytes !== bytes) lastAt = -1; // a new buffer: copy the next repeat from `src` again
      bytes = out.bytes;
    }
    bytes[pos] = n;
    bytes[pos + 1] = n >>> 8;
    bytes[pos + 2] = n >>> 16;
    bytes[pos + 3] = n >>> 24;
    pos += 4;
    if (s === lastAt && n === lastLen) bytes.copyWithin(pos, lastPos, lastPos + n);
    else if (n <= 64) {
      const view = out.view;
      let k = 0;
      for (; k + 4 <= n; k += 4) view.setUint32(pos + k, sv.getUint32(s + k));
      for (; k < n; k++) bytes[pos + k] = src[s + k]!;
    } else bytes.set(src.subarray(s, s + n), pos);
    lastAt = s;
    lastLen = n;
    lastPos = pos;
    pos += n;
    if (minAt < 0) {
      minAt = maxAt = s;
      minLen = maxLen = n;
    } else if ((s === minAt && n === minLen) || (s === maxAt && n === maxLen)) {
      // the very bytes of a bound (a value shared by many rows, e.g. a delete file's file_path)
    } else if (compareRanges(src, sv, s, n, minAt, minLen) < 0) {
      minAt = s;
      minLen = n;
    } else if (compareRanges(src, sv, s, n, maxAt, maxLen) > 0) {
      maxAt = s;
      maxLen = n;
    }
    if (pos >= limit) {
      i++;
      break;
    }
  }
  out.pos = pos;
  if (minAt >= 0) mergeBounds(st, src, minAt, minLen, maxAt, maxLen);
  st.nulls = nullCount;
  return i;
};
