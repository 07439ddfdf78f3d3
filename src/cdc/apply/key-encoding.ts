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

class Sink {
  parts: Uint8Array[] = [];
  size = 0;
  push(b: Uint8Array): void {
    this.parts.push(b);
    this.size += b.length;
  }
  varint(n: number): void {
    const out: number[] = [];
    let v = n;
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    this.push(Uint8Array.from(out));
  }
  /** A present value: flag 1, length, bytes. */
  value(b: Uint8Array): void {
    this.push(ONE);
    this.varint(b.length);
    this.push(b);
  }
  bytes(): Uint8Array {
    return Buffer.concat(this.parts, this.size);
  }
}
const ZERO = Uint8Array.of(0);
const ONE = Uint8Array.of(1);

const MIN64 = -(2n ** 63n);
const MAX64 = 2n ** 63n - 1n;

function asBigInt(v: IcebergValue, where: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  throw new BadEventError(`${where}: expected an integer, got ${typeof v} ${String(v)}`);
}

/**
 * 64-bit integers as 8 big-endian bytes with the sign bit flipped: byte order = numeric order,
 * so keys loaded in primary-key order append to the index's B-tree instead of scattering.
 */
function int64Bytes(v: IcebergValue, where: string): Uint8Array {
  const n = asBigInt(v, where);
  if (n < MIN64 || n > MAX64) throw new BadEventError(`${where}: ${n} does not fit in 64 bits`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, n) ^ (1n << 63n));
  return out;
}

function floatBytes(v: IcebergValue, where: string): Uint8Array {
  if (typeof v !== 'number') throw new BadEventError(`${where}: expected a number, got ${typeof v}`);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Number.isNaN(v) ? Number.NaN : v === 0 ? 0 : v);
  return new Uint8Array(view.buffer);
}

function writeValue(sink: Sink, type: IcebergType, v: IcebergValue | undefined, where: string): void {
  if (v === null || v === undefined) {
    sink.push(ZERO);
    return;
  }
  switch (type.type) {
    case 'boolean':
      if (typeof v !== 'boolean') throw new BadEventError(`${where}: expected a boolean, got ${typeof v}`);
      return sink.value(Uint8Array.of(v ? 1 : 0));
    case 'int': case 'long': case 'date': case 'time': case 'timestamp': case 'timestamptz':
      return sink.value(int64Bytes(v, where));
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
      sink.push(ONE);
      for (const f of type.fields) writeValue(sink, f.type, (v as Row)[f.name], `${where}.${f.name}`);
      return;
    }
    case 'list': {
      const items = v as readonly IcebergValue[];
      sink.push(ONE);
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
      sink.push(ONE);
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
  for (const f of identity.keyFields) {
    if (!(f.name in row)) throw new BadEventError(`table ${table}: key column '${f.name}' missing from change`);
    writeValue(sink, f.type, row[f.name], `table ${table} key column '${f.name}'`);
  }
  return sink.bytes();
}

/** 16 bytes of SHA-256 over the canonical encoding of every column: a keyless table's row identity. */
export function hashRow(identity: RowIdentity, row: Row, table: string): Uint8Array {
  const sink = new Sink();
  for (const f of identity.fields) writeValue(sink, f.type, row[f.name] ?? null, `table ${table} column '${f.name}'`);
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
