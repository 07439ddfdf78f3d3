/**
 * Definition levels of a flat optional column (0 = null, 1 = value) in Parquet's RLE/bit-packed
 * hybrid at bit width 1. Runs of at least MIN_RUN equal levels become one RLE run (two to four
 * bytes: a column without nulls costs one run per page); the rest is bit-packed eight levels to
 * a byte, LSB first, in sections of at most 63 groups (a one-byte header). Only the last group
 * is zero-padded, which readers cut off by the page's value count.
 */
import type { ByteBuffer } from './byte-buffer.ts';

const MIN_RUN = 16;
const MAX_GROUPS = 63;

/** Length of the run of equal levels starting at `i` (of `n`), at most `cap`. */
function runLength(levels: Uint8Array, i: number, n: number, cap: number): number {
  const v = levels[i];
  const end = Math.min(n, i + cap);
  let j = i + 1;
  while (j < end && levels[j] === v) j++;
  return j - i;
}

/** Appends the hybrid encoding of `levels[0..n)` (each 0 or 1) to `out` (no length prefix). */
export function encodeLevels(levels: Uint8Array, n: number, out: ByteBuffer): void {
  out.ensure(n / 4 + 16);
  let i = 0;
  while (i < n) {
    const run = runLength(levels, i, n, n);
    if (run >= MIN_RUN) {
      out.varint(run << 1);
      out.u8(levels[i]!);
      i += run;
      continue;
    }
    const headerAt = out.pos++;
    let groups = 0;
    do {
      let byte = 0;
      for (let b = 0; b < 8 && i + b < n; b++) byte |= levels[i + b]! << b;
      out.bytes[out.pos++] = byte;
      i += 8;
      groups++;
    } while (i < n && groups < MAX_GROUPS && runLength(levels, i, n, MIN_RUN) < MIN_RUN);
    out.bytes[headerAt] = (groups << 1) | 1;
  }
}

/** Appends one RLE run of `n` levels all equal to `level` (a page without nulls, or all nulls). */
export function encodeLevelRun(n: number, level: 0 | 1, out: ByteBuffer): void {
  if (n === 0) return;
  out.varint(n * 2);
  out.u8(level);
}
