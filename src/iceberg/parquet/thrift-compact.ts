/**
 * A minimal Thrift Compact Protocol writer, enough for Parquet page headers and the footer.
 * Fields are written in the order called (ids must ascend within a struct); undefined values are
 * skipped, so optional fields read naturally at the call site. Structs nest with `begin`/`end`.
 */
import type { ByteBuffer } from './byte-buffer.ts';

/** Compact Protocol type codes. */
export const CT = { TRUE: 1, FALSE: 2, I32: 5, I64: 6, BINARY: 8, LIST: 9, STRUCT: 12 } as const;

const utf8 = new TextEncoder();

/** Writes Thrift Compact structs into a ByteBuffer. */
export class CompactWriter {
  private last = 0;
  private readonly stack: number[] = [];

  constructor(readonly out: ByteBuffer) {}

  private header(id: number, type: number): void {
    const delta = id - this.last;
    if (delta > 0 && delta <= 15) this.out.u8((delta << 4) | type);
    else {
      this.out.u8(type);
      this.out.varint(((id << 1) ^ (id >> 15)) & 0xffff); // i16 zigzag
    }
    this.last = id;
  }

  private zigzag32(v: number): void {
    this.out.varint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** Starts a struct: field `id` of the enclosing struct, or a list element / the root when id is undefined. */
  begin(id?: number): this {
    if (id !== undefined) this.header(id, CT.STRUCT);
    this.stack.push(this.last);
    this.last = 0;
    return this;
  }

  /** Ends the innermost struct (writes STOP). */
  end(): this {
    this.out.u8(0);
    this.last = this.stack.pop() ?? 0;
    return this;
  }

  /** An i32 field (32-bit signed integer number). */
  i32(id: number, v: number | undefined): this {
    if (v === undefined) return this;
    this.header(id, CT.I32);
    this.zigzag32(v);
    return this;
  }

  /** An i64 field (bigint, or a safe integer number). */
  i64(id: number, v: bigint | number | undefined): this {
    if (v === undefined) return this;
    this.header(id, CT.I64);
    const b = BigInt(v);
    this.out.varbig(BigInt.asUintN(64, (b << 1n) ^ (b >> 63n)));
    return this;
  }

  /** A bool field. */
  bool(id: number, v: boolean | undefined): this {
    if (v !== undefined) this.header(id, v ? CT.TRUE : CT.FALSE);
    return this;
  }

  /** A binary field (raw bytes). */
  binary(id: number, v: Uint8Array | undefined): this {
    if (v === undefined) return this;
    this.header(id, CT.BINARY);
    this.out.varint(v.length);
    this.out.append(v);
    return this;
  }

  /** A string field (UTF-8). */
  string(id: number, v: string | undefined): this {
    return this.binary(id, v === undefined ? undefined : utf8.encode(v));
  }

  /** A list field header: `n` elements of compact type `elem` follow (structs via `begin()`/`end()`). */
  list(id: number, elem: number, n: number): this {
    this.header(id, CT.LIST);
    if (n < 15) this.out.u8((n << 4) | elem);
    else {
      this.out.u8(0xf0 | elem);
      this.out.varint(n);
    }
    return this;
  }

  /** A list<i32> field. */
  i32List(id: number, values: readonly number[]): this {
    this.list(id, CT.I32, values.length);
    for (const v of values) this.zigzag32(v);
    return this;
  }

  /** A list<string> field. */
  stringList(id: number, values: readonly string[]): this {
    this.list(id, CT.BINARY, values.length);
    for (const v of values) {
      const b = utf8.encode(v);
      this.out.varint(b.length);
      this.out.append(b);
    }
    return this;
  }
}
