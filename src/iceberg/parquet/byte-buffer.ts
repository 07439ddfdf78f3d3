/**
 * A growable byte buffer for the Parquet encoder: one Buffer plus a DataView over it and a write
 * position. Callers `ensure(n)` before writing n bytes at `pos` by hand (the hot loops do), or
 * use the small helpers below. Growth doubles, so appends are amortized O(1); `reset` keeps the
 * memory for the next page or row group.
 */

/** A growable byte buffer with a write position (`pos`); see the file comment. */
export class ByteBuffer {
  bytes: Buffer;
  view: DataView;
  pos = 0;

  /** `capacity` in bytes (at least 64). */
  constructor(capacity = 64 * 1024) {
    this.bytes = Buffer.allocUnsafe(Math.max(64, capacity));
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }

  /** Makes room for `n` more bytes after `pos` (copying what is written so far when it grows). */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < need) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.bytes.copy(next, 0, 0, this.pos);
    this.bytes = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** Forgets the contents, keeps the memory. */
  reset(): void {
    this.pos = 0;
  }

  /** Appends one byte. */
  u8(b: number): void {
    this.ensure(1);
    this.bytes[this.pos++] = b;
  }

  /** Appends an unsigned LEB128 varint (n a non-negative safe integer). */
  varint(n: number): void {
    this.ensure(10);
    while (n > 0x7f) {
      this.bytes[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.bytes[this.pos++] = n;
  }

  /** Appends a varint of a non-negative bigint (64-bit). */
  varbig(n: bigint): void {
    this.ensure(10);
    while (n > 0x7fn) {
      this.bytes[this.pos++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.bytes[this.pos++] = Number(n);
  }

  /** Appends raw bytes. */
  append(src: Uint8Array): void {
    this.ensure(src.length);
    this.bytes.set(src, this.pos);
    this.pos += src.length;
  }

  /** A copy of the bytes written so far (safe to keep after `reset`). */
  copy(): Uint8Array {
    return Uint8Array.prototype.slice.call(this.bytes, 0, this.pos);
  }
}
