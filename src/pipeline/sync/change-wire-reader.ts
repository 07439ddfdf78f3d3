/** Reads changes in the change-wire format (layout in change-wire.ts). */
import type { Change, KafkaOrigin, SourcePosition } from '../../core/change.ts';
import type { IcebergValue, Row } from '../../iceberg/spec/types.ts';
import { type SliceBuffer, MAGIC, VERSION, T_NULL, T_FALSE, T_TRUE, T_INT32, T_FLOAT64, T_INT64, T_BIGINT_POS, T_BIGINT_NEG, T_ASCII, T_UTF8, T_UTF16, T_BYTES, T_LIST, T_MAP, T_STRUCT, OPS, F_OP, F_KEY, F_AFTER, F_BEFORE, F_UNCHANGED, F_COMMIT_TIME, F_ORIGIN, P_SNAPSHOT, P_SNAPSHOT_TRUE, checksum } from './change-wire-format.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
/** The `unchanged` of decoded changes that have none: one frozen array, not one per change. */
const NO_COLUMNS: readonly string[] = Object.freeze([]);

export class WireReader {
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
