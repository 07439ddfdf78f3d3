/**
 * Canonical byte encodings of row identities: the exact bytes of a primary key (composite keys
 * included) and a 128-bit hash of a whole row for tables without a key. Equal values give equal
 * bytes whatever their in-memory form (a long as number or bigint, a uuid in either case),
 * different values different bytes: every component is a null flag, a length and the value's
 * bytes, so no two keys can run together. Floats follow PostgreSQL equality (-0 = 0, NaN = NaN).
 */
import { createHash } from 'node:crypto';
import { BadEventError } from '../../core/errors.ts';
import type { IcebergType, IcebergValue, NestedField, Row, Schema } from '../../iceberg/spec/types.ts';

/** How a table's rows are identified: by key columns, or by the whole row when it has none. */
export interface RowIdentity {
  /** Key fields in identifier order; empty for keyless tables (whole-row identity). */
  readonly keyFields: readonly NestedField[];
  /** All top-level fields (what a whole-row hash covers). */
  readonly fields: readonly NestedField[];
}

/** The identity of `schema`: its identifier fields (in id order given) or, when none, the whole row. */
export function rowIdentity(schema: Schema): RowIdentity {
  const keyFields = schema.identifierFieldIds.map((id) => {
    const field = schema.fields.find((f) => f.id === id);
    if (field === undefined) throw new BadEventError(`schema ${schema.schemaId}: identifier field id ${id} is not a top-level column`);
    return field;
  });
  return { keyFields, fields: schema.fields };
}

const enc = new TextEncoder();

/** A growable byte buffer the encoders write into (one allocation per key, not one per part). */
class Sink {
  buf = new Uint8Array(64);
  size = 0;
  #room(n: number): void {
    if (this.size + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.size + n));
    next.set(this.buf.subarray(0, this.size));
    this.buf = next;
  }
  byte(b: number): void {
    this.#room(1);
    this.buf[this.size++] = b;
  }
  push(b: Uint8Array): void {
    this.#room(b.length);
    this.buf.set(b, this.size);
    this.size += b.length;
  }
  varint(n: number): void {
    let v = n;
    while (v >= 0x80) {
      this.byte((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.byte(v);
  }
  /** A present value: flag 1, length, bytes. */
  value(b: Uint8Array): void {
    this.byte(1);
    this.varint(b.length);
    this.push(b);
  }
  /** A present 64-bit integer: flag 1, length 8, `writeInt64` bytes. */
  int64(v: IcebergValue, where: string): void {
    this.#room(10);
    const at = this.size;
    this.buf[at] = 1;
    this.buf[at + 1] = 8;
    writeInt64(this.buf, at + 2, v, where);
    this.size += 10;
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.size);
  }
}

const MIN64 = -(2n ** 63n);
const MAX64 = 2n ** 63n - 1n;

function asBigInt(v: IcebergValue, where: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  throw new BadEventError(`${where}: expected an integer, got ${typeof v} ${String(v)}`);
}

const TWO32 = 2 ** 32;
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Writes a 64-bit integer at `at` as 8 big-endian bytes with the sign bit flipped: byte order =
 * numeric order, so keys loaded in primary-key order append to the index's B-tree instead of
 * scattering. Safe integers, numbers or bigints (Debezium's longs), are split into words
 * without BigInt arithmetic (same bytes, ~5x faster).
 */
function writeInt64(out: Uint8Array, at: number, value: IcebergValue, where: string): void {
  const v = typeof value === 'bigint' && value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value;
  if (typeof v === 'number' && Number.isSafeInteger(v)) {
    const hi = Math.floor(v / TWO32); // two's complement high word, as a signed number
    const lo = v - hi * TWO32;
    const h = ((hi | 0) ^ 0x80000000) >>> 0;
    out[at] = h >>> 24;
    out[at + 1] = (h >>> 16) & 0xff;
    out[at + 2] = (h >>> 8) & 0xff;
    out[at + 3] = h & 0xff;
    out[at + 4] = lo >>> 24;
    out[at + 5] = (lo >>> 16) & 0xff;
    out[at + 6] = (lo >>> 8) & 0xff;
    out[at + 7] = lo & 0xff;
    return;
  }
  const n = asBigInt(v, where);
  if (n < MIN64 || n > MAX64) throw new BadEventError(`${where}: ${n} does not fit in 64 bits`);
  new DataView(out.buffer, out.byteOffset, out.byteLength).setBigUint64(at, BigInt.asUintN(64, n) ^ (1n << 63n));
}

function floatBytes(v: IcebergValue, where: string): Uint8Array {
  if (typeof v !== 'number') throw new BadEventError(`${where}: expected a number, got ${typeof v}`);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Number.isNaN(v) ? Number.NaN : v === 0 ? 0 : v);
  return new Uint8Array(view.buffer);
}

function writeValue(sink: Sink, type: IcebergType, v: IcebergValue | undefined, where: string): void {
  if (v === null || v === undefined) {
    sink.byte(0);
    return;
  }
  switch (type.type) {
    case 'boolean':
      if (typeof v !== 'boolean') throw new BadEventError(`${where}: expected a boolean, got ${typeof v}`);
      return sink.value(Uint8Array.of(v ? 1 : 0));
    case 'int': case 'long': case 'date': case 'time': case 'timestamp': case 'timestamptz':
      return sink.int64(v, where);
    case 'decimal': // unscaled, up to 38 digits; the column's scale is fixed
      return sink.value(enc.encode(asBigInt(v, where).toString()));
    case 'float': case 'double':
      return sink.value(floatBytes(v, where));
    case 'string':
      if (typeof v !== 'string') throw new BadEventError(`${where}: expected a string, got ${typeof v}`);
      return sink.value(enc.encode(v));
    case 'uuid':
      if (typeof v !== 'string') throw new BadEventError(`${where}: expected a uuid string, got ${typeof v}`);
      return sink.value(enc.encode(v.replaceAll('-', '').toLowerCase()));
    case 'binary': case 'fixed':
      if (!(v instanceof Uint8Array)) throw new BadEventError(`${where}: expected bytes, got ${typeof v}`);
      return sink.value(v);
    case 'struct': {
      sink.byte(1);
      for (const f of type.fields) writeValue(sink, f.type, (v as Row)[f.name], `${where}.${f.name}`);
      return;
    }
    case 'list': {
      const items = v as readonly IcebergValue[];
      sink.byte(1);
      sink.varint(items.length);
      items.forEach((item, i) => writeValue(sink, type.element, item, `${where}[${i}]`));
      return;
    }
    case 'map': {
      // Entry order is not part of a map's value: sort entries by their encoded bytes.
      const entries = [...(v as ReadonlyMap<IcebergValue, IcebergValue>)].map(([k, val]) => {
        const s = new Sink();
        writeValue(s, type.key, k, `${where}.key`);
        writeValue(s, type.value, val, `${where}.value`);
        return Buffer.from(s.bytes());
      });
      entries.sort(Buffer.compare);
      sink.byte(1);
      sink.varint(entries.length);
      for (const e of entries) sink.push(e);
      return;
    }
  }
}

/**
 * The exact key bytes of `row` (an after-image, before-image or key row) for a keyed table.
 * Throws BadEventError naming the table and column when a key column is missing.
 */
export function encodeKey(identity: RowIdentity, row: Row, table: string): Uint8Array {
  const sink = new Sink();
  const wheres = keyWheres(identity, table);
  for (let k = 0; k < identity.keyFields.length; k++) {
    const f = identity.keyFields[k]!;
    if (!(f.name in row)) throw new BadEventError(`table ${table}: key column '${f.name}' missing from change`);
    writeValue(sink, f.type, row[f.name], wheres[k]!);
  }
  return sink.bytes();
}

/** The sink `keyString` reuses: one key at a time, no allocation per key. */
const scratch = new Sink();

/** The last table's key column names for error messages, made once, not once a key (~120 bytes of strings each time). */
let lastWheres: { readonly identity: RowIdentity; readonly table: string; readonly wheres: readonly string[] } | null = null;

let lastColumnWheres: { readonly identity: RowIdentity; readonly table: string; readonly wheres: readonly string[] } | null = null;

/** `keyWheres` for every column (the whole-row hash of a keyless table). */
function columnWheres(identity: RowIdentity, table: string): readonly string[] {
  const last = lastColumnWheres;
  if (last !== null && last.identity === identity && last.table === table) return last.wheres;
  const wheres = identity.fields.map((f) => `table ${table} column '${f.name}'`);
  lastColumnWheres = { identity, table, wheres };
  return wheres;
}

function keyWheres(identity: RowIdentity, table: string): readonly string[] {
  const last = lastWheres;
  if (last !== null && last.identity === identity && last.table === table) return last.wheres;
  const wheres = identity.keyFields.map((f) => `table ${table} key column '${f.name}'`);
  lastWheres = { identity, table, wheres };
  return wheres;
}

/**
 * `idString(encodeKey(identity, row, table))` without the intermediate bytes: the key encoded
 * into a reused buffer and read out as latin1 text (the collapse of a batch does this for
 * every change, so it is kept allocation-free apart from the string itself).
 */
export function keyString(identity: RowIdentity, row: Row, table: string): string {
  scratch.size = 0;
  const wheres = keyWheres(identity, table);
  for (let k = 0; k < identity.keyFields.length; k++) {
    const f = identity.keyFields[k]!;
    if (!(f.name in row)) throw new BadEventError(`table ${table}: key column '${f.name}' missing from change`);
    writeValue(scratch, f.type, row[f.name], wheres[k]!);
  }
  const b = scratch.buf;
  const n = scratch.size;
  if (n > 32) return Buffer.from(b.buffer, b.byteOffset, n).toString('latin1');
  // an int or long key (flag, length, 8 bytes): one string made, not three (~5x faster)
  if (n === 10) return String.fromCharCode(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!, b[8]!, b[9]!);
  // eight chars a call: half the time of one a call for a long key (10 bytes)
  let out = '';
  let i = 0;
  for (; i + 8 <= n; i += 8) out += String.fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!, b[i + 4]!, b[i + 5]!, b[i + 6]!, b[i + 7]!);
  for (; i + 2 <= n; i += 2) out += String.fromCharCode(b[i]!, b[i + 1]!);
  if (i < n) out += String.fromCharCode(b[i]!);
  return out;
}

/** 16 bytes of SHA-256 over the canonical encoding of every column: a keyless table's row identity. */
export function hashRow(identity: RowIdentity, row: Row, table: string): Uint8Array {
  const sink = new Sink();
  const wheres = columnWheres(identity, table);
  for (let k = 0; k < identity.fields.length; k++) {
    const f = identity.fields[k]!;
    writeValue(sink, f.type, row[f.name] ?? null, wheres[k]!);
  }
  return new Uint8Array(createHash('sha256').update(sink.bytes()).digest().subarray(0, 16));
}

/** The identity bytes of a row: its key when the table has one, else its whole-row hash. */
export function identityOf(identity: RowIdentity, row: Row, table: string): Uint8Array {
  return identity.keyFields.length > 0 ? encodeKey(identity, row, table) : hashRow(identity, row, table);
}

/** A Map-friendly string form of identity bytes (latin1: one char per byte, injective). */
export function idString(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Bytes back from `idString`. */
export function idBytes(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}
