/**
 * Physical Parquet values (as hyparquet decodes them with annotations stripped: numbers,
 * bigints, booleans, Uint8Arrays) -> Iceberg in-memory values, by Iceberg type. Also accepts
 * what allowed type promotions leave in older files (int -> long, float -> double, narrower
 * decimals) and the other timestamp units (millis, nanos, INT96) other writers use.
 */
import type { SchemaElement } from 'hyparquet';
import { CorruptFileError } from '../../core/errors.ts';
import { decimalFromBytes } from '../spec/single-value.ts';
import type { IcebergValue, PrimitiveType, SimpleTypeName } from '../spec/types.ts';
import { bytesToUuid } from '../spec/values.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Floor division for bigints (BigInt `/` truncates toward zero; times before 1970 need floor). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Microseconds of an INT96 (Impala/Spark legacy): 8 bytes LE nanos of day, then 4 bytes LE Julian day. */
function int96Micros(raw: unknown): bigint {
  const nanos = typeof raw === 'bigint' ? raw : null;
  if (nanos === null) throw new Error('INT96 must decode to a bigint');
  const julianDay = nanos >> 64n;
  const nanosOfDay = nanos & 0xffffffffffffffffn;
  return (julianDay - 2440588n) * 86_400_000_000n + floorDiv(nanosOfDay, 1000n);
}

function timeUnitOf(e: SchemaElement): 'MILLIS' | 'MICROS' | 'NANOS' {
  const lt = e.logical_type;
  if (lt && (lt.type === 'TIMESTAMP' || lt.type === 'TIME')) return lt.unit;
  if (e.converted_type === 'TIMESTAMP_MILLIS' || e.converted_type === 'TIME_MILLIS') return 'MILLIS';
  return 'MICROS';
}

/** Any integer-valued physical value (INT32 number, INT64 bigint) -> bigint µs in its unit. */
function toMicros(e: SchemaElement, raw: unknown): bigint {
  if (e.type === 'INT96') return int96Micros(raw);
  const v = typeof raw === 'bigint' ? raw : BigInt(raw as number);
  const unit = timeUnitOf(e);
  return unit === 'MILLIS' ? v * 1000n : unit === 'NANOS' ? floorDiv(v, 1000n) : v;
}

function bytes(raw: unknown): Uint8Array {
  if (raw instanceof Uint8Array) return raw;
  if (typeof raw === 'string') return new TextEncoder().encode(raw);
  throw new Error('expected bytes');
}

function decimal(raw: unknown): bigint {
  if (typeof raw === 'bigint') return raw;
  if (typeof raw === 'number') return BigInt(raw);
  return decimalFromBytes(bytes(raw));
}

/** Iceberg type -> converter of a non-null physical value. */
const CONVERTERS: Readonly<Record<SimpleTypeName, (raw: unknown, e: SchemaElement) => IcebergValue>> = {
  boolean: (raw) => {
    if (typeof raw !== 'boolean') throw new Error('expected a boolean');
    return raw;
  },
  int: (raw) => Number(raw),
  long: (raw) => (typeof raw === 'bigint' ? raw : BigInt(raw as number)),
  float: (raw) => Number(raw),
  double: (raw) => Number(raw),
  date: (raw) => Number(raw),
  time: (raw, e) => toMicros(e, raw),
  timestamp: (raw, e) => toMicros(e, raw),
  timestamptz: (raw, e) => toMicros(e, raw),
  string: (raw) => (typeof raw === 'string' ? raw : utf8.decode(bytes(raw))),
  uuid: (raw) => bytesToUuid(bytes(raw)),
  binary: (raw) => bytes(raw),
};

/** Converts one non-null physical value of file element `e` to Iceberg type `t`; `where` names the file, row and column. */
export function convertPrimitive(t: PrimitiveType, e: SchemaElement, raw: unknown, where: string): IcebergValue {
  try {
    if (t.type === 'decimal') return decimal(raw);
    if (t.type === 'fixed') return bytes(raw);
    return CONVERTERS[t.type](raw, e);
  } catch (err) {
    const shown = typeof raw === 'bigint' ? `${raw}n` : raw instanceof Uint8Array ? `bytes[${raw.length}]` : String(raw);
    throw new CorruptFileError(`${where}: cannot read ${e.type ?? 'group'} value ${shown} as ${t.type}: ${(err as Error).message}`, { cause: err });
  }
}
