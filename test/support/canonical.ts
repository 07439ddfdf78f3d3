/**
 * Canonical JSON of Iceberg values, matching what test/support/pyiceberg_reader.py prints, so
 * rows floe expects and rows an independent reader returns compare exactly: integers and
 * temporals as decimal strings (days or microseconds), floats as their IEEE bytes, decimals in plain notation, binary and uuids as hex.
 */
import { decimalToString } from '../../src/iceberg/spec/values.ts';
import type { IcebergType, IcebergValue, Row, Schema } from '../../src/iceberg/spec/types.ts';

export type Canonical = null | boolean | string | Canonical[] | { [k: string]: Canonical };

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** A float as the reader prints it: its 8 IEEE-754 bytes in hex, or 'nan'. Exact, -0 kept. */
export function canonicalFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return `f64:${hex(new Uint8Array(view.buffer))}`;
}

/** Canonical form of one value of `type`. */
export function canonicalValue(type: IcebergType, value: IcebergValue): Canonical {
  if (value === null) return null;
  switch (type.type) {
    case 'boolean':
      return value as boolean;
    case 'float':
      return canonicalFloat(Math.fround(value as number));
    case 'double':
      return canonicalFloat(value as number);
    case 'decimal':
      return decimalToString(value as bigint, type.scale);
    case 'string':
      return value as string;
    case 'uuid':
      return (value as string).replaceAll('-', '').toLowerCase();
    case 'binary':
    case 'fixed':
      return hex(value as Uint8Array);
    case 'struct': {
      const row = value as Row;
      return Object.fromEntries(type.fields.map((f) => [f.name, canonicalValue(f.type, row[f.name] ?? null)]));
    }
    case 'list':
      return (value as IcebergValue[]).map((v) => canonicalValue(type.element, v));
    case 'map':
      return [...(value as ReadonlyMap<IcebergValue, IcebergValue>)].map(([k, v]) => [canonicalValue(type.key, k), canonicalValue(type.value, v)]);
    default:
      return String(value); // int, long, date, time, timestamp(tz): exact integers
  }
}

/** Canonical form of rows of `schema`, sorted for order-independent comparison. */
export function canonicalRows(schema: Schema, rows: readonly Row[]): Canonical[] {
  const out = rows.map((row) => Object.fromEntries(schema.fields.map((f) => [f.name, canonicalValue(f.type, row[f.name] ?? null)])));
  return sortCanonical(out);
}

/** JSON text with object keys sorted: equal for equal values whatever the key order. */
export function stableJson(value: Canonical): string {
  return JSON.stringify(value, (_k, v: Canonical) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** Sorts canonical rows by their stable JSON text: an order for set comparison. */
export function sortCanonical<T extends Canonical>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => {
    const x = stableJson(a);
    const y = stableJson(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
