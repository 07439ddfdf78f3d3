/**
 * Iceberg primitive -> how the flat encoder writes it: the PLAIN encoder of its in-memory
 * representation and the Parquet statistics bytes of a bound (the physical type's PLAIN form:
 * little-endian numbers, big-endian two's complement for FIXED_LEN_BYTE_ARRAY decimals, raw
 * bytes otherwise). Physical types and widths come from parquet-schema.ts, so both writers
 * agree on the file schema.
 */
import { UnsupportedTypeError } from '../../core/errors.ts';
import { toSingleValue } from '../spec/single-value.ts';
import type { IcebergValue, PrimitiveType, SimpleTypeName } from '../spec/types.ts';
import { bytesEncoder, decimalFixedEncoder, encodeString, encodeUuid } from './plain-bytes-encoders.ts';
import { decimalIntEncoder, encodeBooleanBytes, encodeInt32, encodeInt64, floatEncoder, type PlainEncoder } from './plain-encoders.ts';
import { primitiveElement } from './parquet-schema.ts';

/** How one leaf is encoded. */
export interface LeafCodec {
  readonly encode: PlainEncoder;
  /** True for BOOLEAN: the page's one-byte values are bit-packed when it is finished. */
  readonly packBits: boolean;
  /** Parquet statistics form (min_value/max_value) of a non-null bound. */
  readonly statBytes: (v: IcebergValue) => Uint8Array;
}

const SIMPLE: Readonly<Record<SimpleTypeName, PlainEncoder>> = {
  boolean: encodeBooleanBytes,
  int: encodeInt32,
  date: encodeInt32,
  long: encodeInt64,
  time: encodeInt64,
  timestamp: encodeInt64,
  timestamptz: encodeInt64,
  float: floatEncoder(32),
  double: floatEncoder(64),
  string: encodeString,
  uuid: encodeUuid,
  binary: bytesEncoder(undefined),
};

function fixedWidthBigint(v: bigint, width: number): Uint8Array {
  const out = new Uint8Array(width);
  let u = BigInt.asUintN(8 * width, v);
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}

function decimalStat(precision: number, width: number): (v: IcebergValue) => Uint8Array {
  if (precision > 18) return (v) => fixedWidthBigint(v as bigint, width);
  return (v) => {
    const out = new Uint8Array(precision <= 9 ? 4 : 8);
    const view = new DataView(out.buffer);
    if (precision <= 9) view.setInt32(0, Number(v), true);
    else view.setBigInt64(0, v as bigint, true);
    return out;
  };
}

/** The codec of a primitive leaf; UnsupportedTypeError for a type without a Parquet mapping. */
export function leafCodec(t: PrimitiveType): LeafCodec {
  if (t.type === 'decimal') {
    const width = primitiveElement(t).type_length ?? 0;
    const encode = t.precision <= 18 ? decimalIntEncoder(t.precision) : decimalFixedEncoder(t.precision, width);
    return { encode, packBits: false, statBytes: decimalStat(t.precision, width) };
  }
  if (t.type === 'fixed') return { encode: bytesEncoder(t.length), packBits: false, statBytes: (v) => toSingleValue(t, v) };
  const encode = SIMPLE[t.type];
  if (!encode) throw new UnsupportedTypeError(`parquet has no mapping for Iceberg type ${JSON.stringify(t)}`);
  return { encode, packBits: t.type === 'boolean', statBytes: (v) => toSingleValue(t, v) };
}
