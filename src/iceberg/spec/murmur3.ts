/**
 * Murmur3 x86 32-bit hash, seed 0: the hash behind Iceberg's bucket transform
 * (spec Appendix B). Results are signed 32-bit integers, as Java's Guava returns them.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixK1(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixH1(h: number, k1: number): number {
  h ^= k1;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finalize(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** Murmur3 x86 32-bit hash (seed 0) of `bytes`; returns a signed int32 (-2^31 .. 2^31-1). */
export function murmur3Hash32(bytes: Uint8Array): number {
  const length = bytes.length;
  const blocks = length >>> 2;
  let h = 0;
  for (let i = 0; i < blocks; i++) {
    const o = i << 2;
    const k = bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24);
    h = mixH1(h, mixK1(k));
  }
  const tail = blocks << 2;
  const rest = length & 3;
  if (rest > 0) {
    let k1 = 0;
    if (rest === 3) k1 ^= bytes[tail + 2]! << 16;
    if (rest >= 2) k1 ^= bytes[tail + 1]! << 8;
    k1 ^= bytes[tail]!;
    h ^= mixK1(k1);
  }
  return finalize(h, length);
}

const scratch = new DataView(new ArrayBuffer(8));
const scratchBytes = new Uint8Array(scratch.buffer);

/**
 * Hash of an integer as 8 little-endian bytes (spec `hashLong`). Ints, dates and booleans (0/1)
 * hash this way too: the spec's `hashInt` rows have test vectors that only `hashLong` produces
 * (date 2017-11-16 = 17486 -> -653330422, true -> 1392991556), as in Java.
 */
export function murmur3HashLong(value: bigint | number): number {
  scratch.setBigInt64(0, BigInt(value), true);
  return murmur3Hash32(scratchBytes);
}
