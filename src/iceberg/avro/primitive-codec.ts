/**
 * Iceberg primitive types <-> Avro schemas and values, per the spec's Appendix A table. Used for
 * partition tuples, whose Avro shape follows the partition spec's result types.
 * In-memory values follow `IcebergValue` in spec/types.ts; on the Avro side longs are bigint,
 * bytes and fixed are Buffers, decimals are big-endian two's complement, uuids 16 bytes.
 */
import { UnsupportedTypeError } from '../../core/errors.ts';
import type { IcebergValue, PrimitiveType, SimpleTypeName } from '../spec/types.ts';
import { isObjectSchema, unwrapOptional, type AvroSchema } from './avro-schema.ts';

/** Avro schemas of the parameterless Iceberg primitives. */
const SIMPLE_TO_AVRO: Readonly<Record<Exclude<SimpleTypeName, 'uuid'>, AvroSchema>> = {
  boolean: 'boolean',
  int: 'int',
  long: 'long',
  float: 'float',
  double: 'double',
  date: { type: 'int', logicalType: 'date' },
  time: { type: 'long', logicalType: 'time-micros' },
  timestamp: { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': false },
  timestamptz: { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': true },
  string: 'string',
  binary: 'bytes',
};

/** Smallest byte count whose two's complement holds every unscaled value of precision `p`. */
export function decimalBytes(precision: number): number {
  const max = 10n ** BigInt(precision) - 1n;
  let n = 1;
  while (2n ** BigInt(8 * n - 1) - 1n < max) n++;
  return n;
}

/**
 * The Avro schema of an Iceberg primitive. `name` names fixed types (uuid, fixed, decimal) and
 * must be unique in the enclosing schema.
 */
export function avroSchemaOf(type: PrimitiveType, name: string): AvroSchema {
  switch (type.type) {
    case 'decimal':
      return { type: 'fixed', name, size: decimalBytes(type.precision), logicalType: 'decimal', precision: type.precision, scale: type.scale };
    case 'fixed':
      return { type: 'fixed', name, size: type.length };
    case 'uuid':
      return { type: 'fixed', name, size: 16, logicalType: 'uuid' };
    default:
      return SIMPLE_TO_AVRO[type.type];
  }
}

/** The Iceberg primitive an Avro schema stores (optional unions unwrapped). */
export function primitiveOfAvro(schema: AvroSchema, where: string): PrimitiveType {
  const s = unwrapOptional(schema);
  if (typeof s === 'string') {
    const simple: Record<string, SimpleTypeName> = { boolean: 'boolean', int: 'int', long: 'long', float: 'float', double: 'double', string: 'string', bytes: 'binary' };
    const name = simple[s];
    if (name !== undefined) return { type: name };
  } else if (isObjectSchema(s)) {
    const o = s as { type: string; logicalType?: string; size?: number; precision?: number; scale?: number; 'adjust-to-utc'?: boolean };
    if (o.logicalType === 'decimal') return { type: 'decimal', precision: o.precision ?? 38, scale: o.scale ?? 0 };
    if (o.logicalType === 'uuid') return { type: 'uuid' };
    if (o.type === 'fixed') return { type: 'fixed', length: o.size ?? 0 };
    if (o.logicalType === 'date') return { type: 'date' };
    if (o.logicalType === 'time-micros') return { type: 'time' };
    if (o.logicalType === 'timestamp-micros') return { type: o['adjust-to-utc'] === true ? 'timestamptz' : 'timestamp' };
    return primitiveOfAvro(o.type as AvroSchema, where);
  }
  throw new UnsupportedTypeError(`${where}: unsupported Avro type ${JSON.stringify(s)}`);
}

function decimalToBytes(unscaled: bigint, size: number): Buffer {
  const buf = Buffer.alloc(size);
  let v = BigInt.asUintN(size * 8, unscaled);
  for (let i = size - 1; i >= 0; i--) {
    buf[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return buf;
}

function bytesToDecimal(buf: Uint8Array): bigint {
  let v = 0n;
  for (const b of buf) v = (v << 8n) | BigInt(b);
  return BigInt.asIntN(buf.length * 8, v);
}

function uuidToBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

function bytesToUuid(buf: Uint8Array): string {
  const h = Buffer.from(buf).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** An Iceberg value of `type` as avsc writes it for `avroSchemaOf(type)`; null stays null. */
export function toAvroValue(type: PrimitiveType, value: IcebergValue): unknown {
  if (value === null) return null;
  switch (type.type) {
    case 'decimal':
      return decimalToBytes(value as bigint, decimalBytes(type.precision));
    case 'uuid':
      return uuidToBytes(value as string);
    case 'fixed':
    case 'binary':
      return Buffer.from(value as Uint8Array);
    default:
      return value;
  }
}

/** An avsc-decoded Avro value back to the Iceberg value of `type`; null stays null. */
export function fromAvroValue(type: PrimitiveType, value: unknown): IcebergValue {
  if (value === null || value === undefined) return null;
  switch (type.type) {
    case 'decimal':
      return bytesToDecimal(value as Uint8Array);
    case 'uuid':
      return typeof value === 'string' ? value.toLowerCase() : bytesToUuid(value as Uint8Array);
    case 'fixed':
    case 'binary':
      return new Uint8Array(value as Uint8Array);
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return BigInt(value as bigint | number);
    case 'int':
    case 'date':
      return Number(value);
    default:
      return value as IcebergValue;
  }
}
