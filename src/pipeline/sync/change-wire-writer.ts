/** Writes changes in the change-wire format (layout in change-wire.ts). */
import type { Change, ChangeOp, KafkaOrigin, SourcePosition } from '../../core/change.ts';
import type { IcebergValue, Row } from '../../iceberg/spec/types.ts';
import { type SliceBuffer, MAGIC, VERSION, T_NULL, T_FALSE, T_TRUE, T_INT32, T_FLOAT64, T_INT64, T_BIGINT_POS, T_BIGINT_NEG, T_ASCII, T_UTF8, T_UTF16, T_BYTES, T_LIST, T_MAP, T_STRUCT, INT64, INT64_BYTES, LITTLE_ENDIAN, INT64_MIN, INT64_MAX, OP_CODES, F_KEY, F_AFTER, F_BEFORE, F_UNCHANGED, F_COMMIT_TIME, F_ORIGIN, P_SNAPSHOT, P_SNAPSHOT_TRUE, checksum } from './change-wire-format.ts';

/** A struct: not a Date, a typed array other than Uint8Array, a Set or other class instance. */
function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

export class WireWriter {
  buf: SliceBuffer<ArrayBuffer>;
  view: DataView;
  /** `buf.length`, kept apart: a Buffer's length getter is slower than a field. */
  capacity: number;
  pos = 0;
  readonly names = new Map<string, number>();

  constructor(capacity: number) {
    // allocUnsafeSlow: never the shared pool, so the ArrayBuffer is ours to transfer.
    this.buf = Buffer.allocUnsafeSlow(capacity) as SliceBuffer<ArrayBuffer>;
    this.view = new DataView(this.buf.buffer, 0, capacity);
    this.capacity = capacity;
  }

  /** The written bytes as a plain Uint8Array; copied out when over a quarter of the buffer is unused. */
  finish(): Uint8Array<ArrayBuffer> {
    const bytes = new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.pos);
    return this.pos < this.capacity * 0.75 ? bytes.slice() : bytes;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.capacity) return;
    this.capacity = Math.max(this.capacity * 2, this.pos + n);
    const next = Buffer.allocUnsafeSlow(this.capacity) as SliceBuffer<ArrayBuffer>;
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, 0, this.capacity);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  bytes(v: ArrayLike<number>): void {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** Unsigned varint of a count, length or index (below 2^32). */
  uint(v: number): void {
    this.ensure(5);
    const b = this.buf;
    while (v >= 0x80) {
      b[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[this.pos++] = v;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** A structural string as 1 + its index in the name table (0 ends a struct). */
  name(s: string): void {
    const index = this.names.get(s);
    if (index !== undefined) return this.uint(index + 1);
    this.uint(this.names.size + 1);
    this.names.set(s, this.names.size);
    this.string(s);
  }

  change(c: Change): void {
    // Fields are read by for-in, not named loads: as fast for changes of one hidden class, and
    // robust when every change has its own (objects built with spreads; the Debezium decoder's
    // did before e679488: ten named loads then took 1.3 µs a change, for-in 0.6).
    let table: string | undefined, op: ChangeOp | undefined, key: Row | null | undefined, after: Row | null | undefined;
    let before: Row | null | undefined, unchanged: readonly string[] | undefined, position: SourcePosition | undefined;
    let commitTimeMs: number | undefined, snapshot: boolean | undefined, origin: KafkaOrigin | undefined;
    for (const field in c) {
      const v: unknown = c[field as keyof Change];
      switch (field) {
        case 'table': table = v as string; break;
        case 'op': op = v as ChangeOp; break;
        case 'key': key = v as Row | null; break;
        case 'after': after = v as Row | null; break;
        case 'before': before = v as Row | null; break;
        case 'unchanged': unchanged = v as readonly string[]; break;
        case 'position': position = v as SourcePosition; break;
        case 'commitTimeMs': commitTimeMs = v as number | undefined; break;
        case 'snapshot': snapshot = v as boolean | undefined; break;
        case 'origin': origin = v as KafkaOrigin | undefined; break;
      }
    }
    if (table === undefined || op === undefined || key === undefined || after === undefined || before === undefined ||
      unchanged === undefined || position === undefined) {
      throw new Error(`change-wire: a change of ${table} lacks one of table, op, key, after, before, unchanged, position`);
    }
    const opCode = OP_CODES[op];
    if (opCode === undefined) throw new Error(`change-wire: unknown op ${JSON.stringify(op)} in a change of ${table}`);
    const hasUnchanged = unchanged.length > 0;
    const flags = opCode | (key !== null ? F_KEY : 0) | (after !== null ? F_AFTER : 0) | (before !== null ? F_BEFORE : 0) |
      (hasUnchanged ? F_UNCHANGED : 0) | (commitTimeMs !== undefined ? F_COMMIT_TIME : 0) | (origin !== undefined ? F_ORIGIN : 0);
    const { lsn, commitLsn, lastCommitLsn, txId, scn, commitScn, sequence } = position;
    const positionFlags = (lsn !== undefined ? 1 : 0) | (commitLsn !== undefined ? 2 : 0) | (lastCommitLsn !== undefined ? 4 : 0) |
      (txId !== undefined ? 8 : 0) | (scn !== undefined ? 16 : 0) | (commitScn !== undefined ? 32 : 0) | (sequence !== undefined ? 64 : 0) |
      (snapshot === undefined ? 0 : snapshot ? P_SNAPSHOT | P_SNAPSHOT_TRUE : P_SNAPSHOT);
    this.u8(flags);
    this.u8(positionFlags & 0xff);
    this.u8(positionFlags >> 8);
    this.name(table);
    if (lsn !== undefined) this.bigint(lsn);
    if (commitLsn !== undefined) this.bigint(commitLsn);
    if (lastCommitLsn !== undefined) this.bigint(lastCommitLsn);
    if (txId !== undefined) this.bigint(txId);
    if (scn !== undefined) this.bigint(scn);
    if (commitScn !== undefined) this.bigint(commitScn);
    if (sequence !== undefined) this.bigint(sequence);
    if (commitTimeMs !== undefined) this.f64(commitTimeMs);
    if (key !== null) this.struct(key);
    if (after !== null) this.struct(after);
    if (before !== null) this.struct(before);
    if (hasUnchanged) {
      this.uint(unchanged.length);
      for (let i = 0; i < unchanged.length; i++) this.name(unchanged[i]!);
    }
    if (origin !== undefined) {
      this.name(origin.topic);
      this.value(origin.partition);
      this.bigint(origin.offset);
    }
  }

  value(v: IcebergValue): void {
    switch (typeof v) {
      case 'string': return this.string(v);
      case 'number': return this.number(v);
      case 'bigint': return this.bigint(v);
      case 'boolean': return this.u8(v ? T_TRUE : T_FALSE);
      case 'object':
        if (v === null) return this.u8(T_NULL);
        if (v instanceof Uint8Array) return this.byteValue(v);
        if (Array.isArray(v)) return this.list(v as readonly IcebergValue[]);
        if (v instanceof Map) return this.map(v as ReadonlyMap<IcebergValue, IcebergValue>);
        if (isPlainObject(v)) return this.struct(v as Row);
        throw new Error(`change-wire: a ${(v as { constructor?: { name?: string } }).constructor?.name ?? 'object'} is not an Iceberg value`);
    }
    throw new Error(`change-wire: a ${typeof v} is not an Iceberg value`);
  }

  number(v: number): void {
    this.ensure(9);
    if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
      const b = this.buf;
      let p = this.pos;
      b[p++] = T_INT32;
      b[p++] = v;
      b[p++] = v >> 8;
      b[p++] = v >> 16;
      b[p++] = v >> 24;
      this.pos = p;
    } else {
      this.buf[this.pos++] = T_FLOAT64;
      this.f64(v);
    }
  }

  bigint(v: bigint): void {
    this.ensure(9);
    INT64[0] = v;
    if (LITTLE_ENDIAN && INT64[0] === v) {
      const b = this.buf;
      const p = this.pos;
      b[p] = T_INT64;
      b[p + 1] = INT64_BYTES[0]!;
      b[p + 2] = INT64_BYTES[1]!;
      b[p + 3] = INT64_BYTES[2]!;
      b[p + 4] = INT64_BYTES[3]!;
      b[p + 5] = INT64_BYTES[4]!;
      b[p + 6] = INT64_BYTES[5]!;
      b[p + 7] = INT64_BYTES[6]!;
      b[p + 8] = INT64_BYTES[7]!;
      this.pos = p + 9;
      return;
    }
    if (v >= INT64_MIN && v <= INT64_MAX) {
      this.buf[this.pos++] = T_INT64;
      this.view.setBigInt64(this.pos, v, true);
      this.pos += 8;
      return;
    }
    const negative = v < 0n;
    let hex = (negative ? -v : v).toString(16);
    if (hex.length % 2 === 1) hex = `0${hex}`;
    this.u8(negative ? T_BIGINT_NEG : T_BIGINT_POS);
    this.uint(hex.length / 2);
    this.ensure(hex.length / 2);
    this.pos += this.buf.write(hex, this.pos, hex.length / 2, 'hex');
  }

  /** ASCII in a JS loop (cheapest for the short strings of rows), else UTF-8, else UTF-16. */
  string(s: string): void {
    const n = s.length;
    this.ensure(3 * n + 11);
    const b = this.buf;
    const start = this.pos;
    const body = start + 1 + (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      b[body + i] = c;
    }
    if (i === n) {
      this.u8(T_ASCII);
      this.uint(n); // exactly body - start - 1 bytes
      this.pos = body + n;
    } else if (isWellFormed(s)) {
      const length = Buffer.byteLength(s, 'utf8');
      this.u8(T_UTF8);
      this.uint(length);
      this.pos += b.write(s, this.pos, length, 'utf8');
    } else {
      this.u8(T_UTF16);
      this.uint(n);
      this.pos += b.write(s, this.pos, 2 * n, 'utf16le');
    }
  }

  byteValue(v: Uint8Array): void {
    this.u8(T_BYTES);
    this.uint(v.length);
    this.bytes(v);
  }

  list(v: readonly IcebergValue[]): void {
    this.u8(T_LIST);
    this.uint(v.length);
    for (let i = 0; i < v.length; i++) this.value(v[i]!);
  }

  map(v: ReadonlyMap<IcebergValue, IcebergValue>): void {
    this.u8(T_MAP);
    this.uint(v.size);
    for (const [key, value] of v) {
      this.value(key);
      this.value(value);
    }
  }

  /** Fields by for-in (see `change`), ended by name 0. */
  struct(row: Row): void {
    this.u8(T_STRUCT);
    for (const field in row) {
      this.name(field);
      this.value(row[field]!);
    }
    this.u8(0);
  }
}

/**
 * Encodes changes as they come (in order) into one message: what encodeChanges gives for all of
 * them at once, except that the change count is always five varint bytes (written last; the
 * reader takes any varint of up to five bytes). A source thread encodes each read right away,
 * so its changes die young instead of waiting in memory for the rest of their chunk.
 */
export class ChangeWireEncoder {
  readonly #w = new WireWriter(64 + 512 * 96);
  readonly #countAt: number;
  #count = 0;

  constructor() {
    this.#w.bytes(MAGIC);
    this.#w.u8(VERSION);
    this.#countAt = this.#w.pos;
    this.#w.ensure(5);
    this.#w.pos += 5;
  }

  /** Changes encoded so far. */
  get count(): number {
    return this.#count;
  }

  add(changes: readonly Change[]): void {
    for (const change of changes) this.#w.change(change);
    this.#count += changes.length;
  }

  /** The message (bytes whose buffer can be transferred); the encoder is done. */
  finish(): Uint8Array<ArrayBuffer> {
    const w = this.#w;
    let v = this.#count;
    for (let i = 0; i < 4; i++, v >>>= 7) w.buf[this.#countAt + i] = (v & 0x7f) | 0x80;
    w.buf[this.#countAt + 4] = v;
    w.ensure(4);
    w.view.setInt32(w.pos, checksum(w.view, w.pos), true);
    w.pos += 4;
    return w.finish();
  }
}

/** Encodes changes (in order) into bytes whose buffer can be transferred with postMessage. */
export function encodeChanges(changes: readonly Change[]): Uint8Array<ArrayBuffer> {
  const w = new WireWriter(64 + changes.length * 96);
  w.bytes(MAGIC);
  w.u8(VERSION);
  w.uint(changes.length);
  for (const change of changes) w.change(change);
  w.ensure(4);
  w.view.setInt32(w.pos, checksum(w.view, w.pos), true);
  w.pos += 4;
  return w.finish();
}
