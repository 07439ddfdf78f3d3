/**
 * Turns a plain-JSON Avro schema into an avsc Type whose longs are exact 64-bit `bigint`s.
 * avsc's own long rejects values beyond 2^53, and Iceberg snapshot ids use all 64 bits.
 */
import avro from 'avsc';
import type { AvroSchema } from './avro-schema.ts';

/** avsc hands us the long as 8 little-endian bytes and takes them back the same way. */
const bigintLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(n);
    return buf;
  },
  fromJSON: (json: unknown) => BigInt(json as string | number),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint' && n >= -(2n ** 63n) && n < 2n ** 63n,
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

function isLong(schema: unknown): boolean {
  if (schema === 'long') return true;
  return typeof schema === 'object' && schema !== null && !Array.isArray(schema) && (schema as { type?: unknown }).type === 'long';
}

/** Compiled types by schema JSON: every manifest and manifest list of a table has one of a few schemas (~1.5 ms to compile). */
const compiled = new Map<string, avro.Type>();
const MAX_COMPILED = 64;

/**
 * Compiles `schema` (never mutated) to an avsc Type. Every Avro long, annotated or not, reads
 * and writes as `bigint`; unknown logical types (`map`, `uuid`, ...) fall back to their base type.
 * Types are immutable and reused for equal schemas.
 */
export function compileAvroSchema(schema: AvroSchema): avro.Type {
  const key = JSON.stringify(schema);
  const known = compiled.get(key);
  if (known !== undefined) return known;
  const type = avro.Type.forSchema(structuredClone(schema) as avro.Schema, {
    typeHook: (s: avro.Schema) => (isLong(s) ? bigintLong : undefined),
  });
  if (compiled.size >= MAX_COMPILED) compiled.clear();
  compiled.set(key, type);
  return type;
}
