/**
 * A compact binary form of `Change[]` for handing changes from a source worker thread to the
 * main thread: `encodeChanges` in the worker, `postMessage(bytes, [bytes.buffer])`, then
 * `decodeChanges` on the main thread. Structured clone costs ~5 µs per change; encode plus
 * decode cost about a fifth of that (bench/change-wire.ts).
 *
 * Layout (little-endian; `uint` is an unsigned LEB128 varint):
 *   message  0xF1 0x0E 'C' 'W', version byte, uint change count, the changes, i32 checksum
 *            of all bytes before it (see `checksum`)
 *   change   u8 flags (op, which of key/after/before/unchanged/commitTimeMs/origin are there),
 *            u16 position flags (which of the 7 SourcePosition fields; snapshot there, true),
 *            table (name), the present position fields (bigint values), commitTimeMs (f64),
 *            key, after, before (struct values), unchanged (uint count + names), origin
 *            (topic name, partition value, offset value)
 *   name     uint 1 + index into a per-message table of structural strings (table, column
 *            and topic names); the index equal to the table's size defines the next entry
 *            inline (a string value follows), so each name is written once per message
 *   value    u8 tag, then: int32 (i32) | float64 (f64) | bigint within int64 (i64) |
 *            bigint beyond (uint byte count + magnitude big-endian, tag gives the sign) |
 *            string (uint length + ASCII bytes, UTF-8 bytes, or UTF-16LE code units when it
 *            holds a lone surrogate, which UTF-8 cannot carry) | bytes (uint length + bytes) |
 *            list (uint count + values) | map (uint count + key, value pairs) |
 *            struct (name, value pairs, then name 0)
 *
 * Optional fields that are absent or `undefined` are absent after decoding; fields a Change
 * does not declare are not carried; an empty `unchanged` decodes as one shared frozen array. Byte values decode as plain Uint8Arrays (a Buffer too),
 * copied out of the wire bytes, so the wire buffer may be reused or released afterwards.
 */
import type { Change, ChangeOp, KafkaOrigin, SourcePosition } from '../../core/change.ts';
import type { IcebergValue, Row } from '../../iceberg/spec/types.ts';

const MAGIC = [0xf1, 0x0e, 0x43, 0x57] as const;
const VERSION = 1;

const T_NULL = 0;
const T_FALSE = 1;
const T_TRUE = 2;
const T_INT32 = 3;
const T_FLOAT64 = 4;
const T_INT64 = 5;
const T_BIGINT_POS = 6;
const T_BIGINT_NEG = 7;
const T_ASCII = 8;
const T_UTF8 = 9;
const T_UTF16 = 10;
const T_BYTES = 11;
const T_LIST = 12;
const T_MAP = 13;
const T_STRUCT = 14;

/**
 * Int64 through a one-element BigInt64Array: a store wraps modulo 2^64, so reading back the
 * same value proves the range, and byte copies beat DataView.setBigInt64 (5 ns vs 24 with the
 * range check). Its bytes are in platform order: used only where that is little-endian.
 */
const INT64 = new BigInt64Array(1);
const INT64_BYTES = new Uint8Array(INT64.buffer);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const OPS: readonly ChangeOp[] = ['upsert', 'delete', 'truncate'];
const OP_CODES: Readonly<Record<string, number>> = { upsert: 0, delete: 1, truncate: 2 };
const F_OP = 0x03;
const F_KEY = 0x04;
const F_AFTER = 0x08;
const F_BEFORE = 0x10;
const F_UNCHANGED = 0x20;
const F_COMMIT_TIME = 0x40;
const F_ORIGIN = 0x80;
/** Position flags: bits 0-6 the SourcePosition fields in declaration order, then snapshot. */
const P_SNAPSHOT = 0x80;
const P_SNAPSHOT_TRUE = 0x100;

/** Node's Buffer slicers without the argument checks of `toString` (fastest for short strings). */
interface SliceBuffer<B extends ArrayBufferLike = ArrayBufferLike> extends Buffer<B> {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
  ucs2Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
}
type Mutable<T> = { -readonly [K in keyof T]: T[K] };
/** The `unchanged` of decoded changes that have none: one frozen array, not one per change. */
const NO_COLUMNS: readonly string[] = Object.freeze([]);

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

/** The changes `encodeChanges` was given, equal in every field; throws on bytes it did not write. */
export function decodeChanges(bytes: Uint8Array): Change[] {
  const r = new WireReader(bytes);
  try {
    for (let i = 0; i < MAGIC.length; i++) if (r.u8() !== MAGIC[i]) throw new Error('not change-wire bytes (bad magic)');
    const version = r.u8();
    if (version !== VERSION) throw new Error(`version ${version} is not ${VERSION}`);
    const expected = r.view.getInt32(r.end, true);
    const actual = checksum(r.view, r.end);
    if (actual !== expected) throw new Error(`checksum ${actual} is not ${expected}: bytes truncated or corrupt`);
    const count = r.count();
    const changes: Change[] = [];
    for (let i = 0; i < count; i++) changes.push(r.change());
    if (r.pos !== r.end) throw new Error(`${r.end - r.pos} bytes after the last of ${count} changes`);
    return changes;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`change-wire: cannot decode ${bytes.length} bytes at offset ${r.pos}: ${why}`, { cause: err });
  }
}

/**
 * FNV-1a with a rotation over little-endian 32-bit words of bytes [0, length), even and odd
 * words in two lanes (twice as fast: the lanes do not wait on each other). Each step is a
 * bijection of its lane, so any one corrupt word changes the result; ~0.2 ns a byte.
 */
function checksum(view: DataView, length: number): number {
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

/** A struct: not a Date, a typed array other than Uint8Array, a Set or other class instance. */
function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

class WireWriter {
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

class WireReader {
  readonly b: Uint8Array;
  readonly buf: SliceBuffer;
  readonly view: DataView;
  readonly end: number;
  pos = 0;
  readonly names: string[] = [];

  constructor(bytes: Uint8Array) {
    this.b = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength); // slice() copies, unlike Buffer's
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as SliceBuffer;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.length - 4; // the checksum
  }

  need(n: number): void {
    if (this.pos + n > this.end) throw new Error(`truncated: ${n} bytes needed, ${this.end - this.pos} left`);
  }

  u8(): number {
    if (this.pos >= this.end) throw new Error('truncated: 1 byte needed, 0 left');
    return this.b[this.pos++]!;
  }

  uint(): number {
    let byte = this.u8();
    if (byte < 0x80) return byte;
    let result = byte & 0x7f;
    for (let shift = 7; ; shift += 7) {
      if (shift > 28) throw new Error('varint longer than 5 bytes');
      byte = this.u8();
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
    }
  }

  /** A count of items that each take at least one byte: larger than what is left is corrupt. */
  count(): number {
    const n = this.uint();
    if (n > this.end - this.pos) throw new Error(`count ${n} exceeds the ${this.end - this.pos} bytes left`);
    return n;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  name(): string {
    const ref = this.uint();
    if (ref === 0) throw new Error('name 0 outside a struct');
    return this.nameOf(ref);
  }

  /** The name of a reference (1 + index), defining it when it is the next index. */
  nameOf(ref: number): string {
    const index = ref - 1;
    if (index < this.names.length) return this.names[index]!;
    if (index > this.names.length) throw new Error(`name ${index} referenced before the ${this.names.length} defined`);
    const s = this.value();
    if (typeof s !== 'string') throw new Error(`name ${index} is not a string`);
    // Property keys must be internalized strings: do it once here, not at every keyed store.
    const name = Object.keys({ [s]: 0 })[0] ?? s;
    this.names.push(name);
    return name;
  }

  change(): Change {
    const flags = this.u8();
    const positionFlags = this.u8() | (this.u8() << 8);
    const op = OPS[flags & F_OP];
    if (op === undefined) throw new Error(`op code ${flags & F_OP} unknown`);
    const table = this.name();
    const position = this.position(positionFlags);
    const commitTimeMs = flags & F_COMMIT_TIME ? this.f64() : undefined;
    const key = flags & F_KEY ? this.struct() : null;
    const after = flags & F_AFTER ? this.struct() : null;
    const before = flags & F_BEFORE ? this.struct() : null;
    let unchanged: readonly string[] = NO_COLUMNS;
    if (flags & F_UNCHANGED) {
      const columns: string[] = [];
      for (let i = this.count(); i > 0; i--) columns.push(this.name());
      unchanged = columns;
    }
    if ((flags & F_COMMIT_TIME) && (positionFlags & P_SNAPSHOT) && (flags & F_ORIGIN)) {
      // The usual shape (Debezium) in one literal: one allocation, no map transitions.
      const snapshot = (positionFlags & P_SNAPSHOT_TRUE) !== 0;
      return { table, op, key, after, before, unchanged, position, commitTimeMs, snapshot, origin: this.origin() };
    }
    const change: Mutable<Change> = { table, op, key, after, before, unchanged, position };
    if (commitTimeMs !== undefined) change.commitTimeMs = commitTimeMs;
    if (positionFlags & P_SNAPSHOT) change.snapshot = (positionFlags & P_SNAPSHOT_TRUE) !== 0;
    if (flags & F_ORIGIN) change.origin = this.origin();
    return change;
  }

  /** The position fields of `flags`; the usual sets as one literal (one allocation, no map transitions). */
  position(flags: number): SourcePosition {
    switch (flags & 0x7f) {
      case 0b0001101: return { lsn: this.bigint(), lastCommitLsn: this.bigint(), txId: this.bigint() }; // Debezium PostgreSQL
      case 0b1001011: return { lsn: this.bigint(), commitLsn: this.bigint(), txId: this.bigint(), sequence: this.bigint() }; // pgoutput
    }
    const position: Mutable<SourcePosition> = {};
    if (flags & 1) position.lsn = this.bigint();
    if (flags & 2) position.commitLsn = this.bigint();
    if (flags & 4) position.lastCommitLsn = this.bigint();
    if (flags & 8) position.txId = this.bigint();
    if (flags & 16) position.scn = this.bigint();
    if (flags & 32) position.commitScn = this.bigint();
    if (flags & 64) position.sequence = this.bigint();
    return position;
  }

  origin(): KafkaOrigin {
    const topic = this.name();
    const partition = this.value();
    if (typeof partition !== 'number') throw new Error(`origin partition is a ${typeof partition}`);
    const offset = this.bigint();
    return { topic, partition, offset };
  }

  /** A bigint value; the int64 case inline (positions and offsets are nearly always int64). */
  bigint(): bigint {
    if (this.pos < this.end && this.b[this.pos] === T_INT64) {
      this.pos++;
      this.need(8);
      const v = this.view.getBigInt64(this.pos, true);
      this.pos += 8;
      return v;
    }
    const v = this.value();
    if (typeof v !== 'bigint') throw new Error(`expected a bigint, found a ${typeof v}`);
    return v;
  }

  struct(): Row {
    const v = this.value();
    if (typeof v !== 'object' || v === null || v instanceof Uint8Array || Array.isArray(v) || v instanceof Map) {
      throw new Error('expected a struct');
    }
    return v as Row;
  }

  value(): IcebergValue {
    const tag = this.u8();
    switch (tag) {
      case T_NULL: return null;
      case T_FALSE: return false;
      case T_TRUE: return true;
      case T_INT32: {
        this.need(4);
        const b = this.b;
        const p = this.pos;
        this.pos = p + 4;
        return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
      }
      case T_FLOAT64: return this.f64();
      case T_INT64: {
        this.need(8);
        const v = this.view.getBigInt64(this.pos, true);
        this.pos += 8;
        return v;
      }
      case T_BIGINT_POS: case T_BIGINT_NEG: {
        const length = this.count();
        const magnitude = BigInt(`0x${this.buf.hexSlice(this.pos, this.pos + length)}`);
        this.pos += length;
        return tag === T_BIGINT_NEG ? -magnitude : magnitude;
      }
      case T_ASCII: {
        const start = this.text(1);
        return this.buf.latin1Slice(start, this.pos);
      }
      case T_UTF8: {
        const start = this.text(1);
        return this.buf.utf8Slice(start, this.pos);
      }
      case T_UTF16: {
        const start = this.text(2);
        return this.buf.ucs2Slice(start, this.pos);
      }
      case T_BYTES: {
        const length = this.count();
        return this.b.slice(this.pos, (this.pos += length));
      }
      case T_LIST: {
        const list: IcebergValue[] = [];
        for (let i = this.count(); i > 0; i--) list.push(this.value());
        return list;
      }
      case T_MAP: {
        const map = new Map<IcebergValue, IcebergValue>();
        for (let i = this.count(); i > 0; i--) map.set(this.value(), this.value());
        return map;
      }
      case T_STRUCT: {
        const row: Record<string, IcebergValue> = {};
        for (let ref = this.uint(); ref !== 0; ref = this.uint()) {
          const name = this.nameOf(ref);
          if (name === '__proto__') Object.defineProperty(row, name, { value: this.value(), enumerable: true, writable: true, configurable: true });
          else row[name] = this.value();
        }
        return row;
      }
    }
    throw new Error(`value tag ${tag} unknown`);
  }

  /** Skips a string's length and units; returns where its bytes start (they end at `pos`). */
  text(unitBytes: number): number {
    const units = this.uint();
    this.need(units * unitBytes);
    const start = this.pos;
    this.pos += units * unitBytes;
    return start;
  }
}
