/**
 * The canonical text of an Iceberg value, the JavaScript half of verify's contract (the SQL half
 * is canonical-sql.ts; both must give the same string for the same value):
 *   boolean                    t / f
 *   int, long                  decimal integer: -42
 *   float, double              NaN, else the 16 hex digits of the IEEE-754 double (so -0 and
 *                              ±Infinity are exact; a float is widened to double, which is exact)
 *   decimal(P,S)               the value with exactly S fraction digits: -0.05, 12300
 *   date                       days since 1970-01-01: -1
 *   time, timestamp(tz)        microseconds (since midnight / since 1970-01-01 UTC): -1
 *   string, uuid               the string itself
 *   binary, fixed              lowercase hex
 *   list                       [e1,e2,...]: each element's text as a JSON string, or null
 * A null value has no text (null). Structs and maps never come from floe's sources: an error.
 */
import { UnsupportedTypeError } from '../../core/errors.ts';
import type { IcebergType, IcebergValue } from '../../iceberg/spec/types.ts';

/** Canonical text of one non-null value; null only for list elements' absent values. */
export type CanonicalEncoder = (value: IcebergValue) => string | null;

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const F64 = new DataView(new ArrayBuffer(8));

/** Lowercase hex of bytes. */
export function bytesHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX2[bytes[i]!];
  return out;
}

/** NaN, else the big-endian IEEE-754 double bits as 16 hex digits (-0 → 8000000000000000). */
export function doubleText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  F64.setFloat64(0, value);
  return (F64.getUint32(0).toString(16).padStart(8, '0') + F64.getUint32(4).toString(16).padStart(8, '0'));
}

/** Unscaled decimal → text with exactly `scale` fraction digits: (-5n, 2) → `-0.05`. */
export function decimalText(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString();
  if (scale === 0) return neg ? `-${digits}` : digits;
  const padded = digits.padStart(scale + 1, '0');
  const text = `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
  return neg ? `-${text}` : text;
}

/** `[...]` list form; `element` gives each non-null element's text. */
function listText(values: readonly IcebergValue[], element: CanonicalEncoder): string {
  let out = '[';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = values[i]!;
    const text = v === null ? null : element(v);
    out += text === null ? 'null' : JSON.stringify(text);
  }
  return `${out}]`;
}

function bad(where: string, type: IcebergType, value: IcebergValue): never {
  const shown = typeof value === 'bigint' ? `${value}n` : String(value);
  throw new UnsupportedTypeError(`verify ${where}: value ${shown.slice(0, 80)} (${typeof value}) does not fit Iceberg type ${type.type}`);
}

/**
 * The encoder for values of `type`; `where` (table.column) names the column in errors. The
 * encoder returns null for null and throws UnsupportedTypeError for a value of the wrong shape.
 */
export function canonicalEncoder(type: IcebergType, where: string): CanonicalEncoder {
  const check = (ok: (v: IcebergValue) => boolean, text: (v: never) => string): CanonicalEncoder =>
    (v) => (v === null ? null : ok(v) ? text(v as never) : bad(where, type, v));
  switch (type.type) {
    case 'boolean':
      return check((v) => typeof v === 'boolean', (v: boolean) => (v ? 't' : 'f'));
    case 'int':
    case 'date':
      return check((v) => typeof v === 'number' && Number.isInteger(v), (v: number) => String(v));
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return check((v) => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v)), (v: bigint | number) => String(v));
    case 'float':
    case 'double':
      return check((v) => typeof v === 'number', doubleText);
    case 'decimal': {
      const scale = type.scale;
      return check((v) => typeof v === 'bigint', (v: bigint) => decimalText(v, scale));
    }
    case 'string':
    case 'uuid':
      return check((v) => typeof v === 'string', (v: string) => v);
    case 'binary':
    case 'fixed':
      return check((v) => v instanceof Uint8Array, bytesHex);
    case 'list': {
      const element = canonicalEncoder(type.element, where);
      return check((v) => Array.isArray(v), (v: readonly IcebergValue[]) => listText(v, element));
    }
    default:
      throw new UnsupportedTypeError(`verify ${where}: Iceberg type ${type.type} has no canonical text (floe's sources never produce it)`);
  }
}
