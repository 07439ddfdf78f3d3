/**
 * Numbers from Debezium JSON into Iceberg values, exactly: integers (number or bigint from the
 * lossless parser), floats (the JSON converter writes NaN/±Infinity as strings), and decimals
 * in every `decimal.handling.mode` — Connect `Decimal` (two's-complement bytes, base64, with
 * `scale`), `VariableScaleDecimal` ({scale, value}), `string` and `double`. Decimals are
 * rescaled to the target scale only when no digit is lost; nothing is ever rounded.
 */
import { BadEventError } from '../../core/errors.ts';
import type { JsonValue } from '../../iceberg/spec/lossless-json.ts';
import type { IcebergType, IcebergValue } from '../../iceberg/spec/types.ts';
import { decimalFromString, decimalToString } from '../../iceberg/spec/values.ts';
import { isObject, previewValue } from './json-text.ts';
import type { DebeziumDecodeOptions } from './types.ts';

/** An exact decimal: unscaled digits and scale (123.45 = {unscaled 12345n, scale 2}). */
export interface ExactDecimal {
  readonly unscaled: bigint;
  readonly scale: number;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A JSON integer (number or bigint) as bigint; throws BadEventError for anything else. */
export function jsonInteger(raw: JsonValue): bigint {
  if (typeof raw === 'bigint') return raw;
  if (typeof raw === 'number' && Number.isInteger(raw)) return BigInt(raw);
  throw new BadEventError(`expected an integer, got ${previewValue(raw)}`);
}

/** int (32-bit) target from a JSON integer; range-checked. */
export function toInt(raw: JsonValue): number {
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= INT32_MIN && raw <= INT32_MAX) return raw;
  const v = jsonInteger(raw);
  if (v < BigInt(INT32_MIN) || v > BigInt(INT32_MAX)) throw new BadEventError(`${v} does not fit int (32-bit)`);
  return Number(v);
}

/** long (64-bit) target from a JSON integer; range-checked. */
export function toLong(raw: JsonValue): bigint {
  const v = jsonInteger(raw);
  if (v < INT64_MIN || v > INT64_MAX) throw new BadEventError(`${v} does not fit long (64-bit)`);
  return v;
}

const FLOAT_WORDS: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** float/double target: a JSON number, or NaN/Infinity/-Infinity as the JSON converter writes them. */
export function toFloating(raw: JsonValue, target: IcebergType): number {
  let v: number | undefined;
  if (typeof raw === 'number') v = raw;
  else if (typeof raw === 'string') v = FLOAT_WORDS[raw];
  else if (typeof raw === 'bigint') v = Number(raw);
  if (v === undefined) throw new BadEventError(`expected a number, got ${previewValue(raw)}`);
  return target.type === 'float' ? Math.fround(v) : v;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Standard base64 text → bytes; throws BadEventError on other characters. */
export function base64Bytes(s: string): Uint8Array {
  if (s.length % 4 !== 0 || !BASE64.test(s)) throw new BadEventError(`expected base64, got ${previewValue(s)}`);
  return new Uint8Array(Buffer.from(s, 'base64'));
}

/** Big-endian two's-complement bytes (Java BigInteger.toByteArray) → bigint. */
export function twosComplement(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  const v = BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`);
  return bytes[0]! & 0x80 ? v - (1n << BigInt(8 * bytes.length)) : v;
}

/** Connect `Decimal`: base64 bytes at the schema's `scale` parameter. */
export function connectDecimal(raw: JsonValue, scaleParam: string | undefined): ExactDecimal {
  if (typeof raw !== 'string') throw new BadEventError(`Decimal expects base64 bytes, got ${previewValue(raw)}`);
  const scale = Number(scaleParam);
  if (!Number.isInteger(scale)) throw new BadEventError(`Decimal schema has no integer scale (${previewValue(scaleParam)})`);
  return { unscaled: twosComplement(base64Bytes(raw)), scale };
}

/** `io.debezium.data.VariableScaleDecimal`: {scale, value: base64 bytes}. */
export function variableScaleDecimal(raw: JsonValue): ExactDecimal {
  if (!isObject(raw) || typeof raw.value !== 'string') {
    throw new BadEventError(`VariableScaleDecimal expects {scale, value}, got ${previewValue(raw)}`);
  }
  return { unscaled: twosComplement(base64Bytes(raw.value)), scale: Number(jsonInteger(raw.scale ?? null)) };
}

/** Words decimal.handling.mode=string sends for NaN and ±Infinity (and PostgreSQL's own spellings). */
const SPECIAL_NUMERIC = new Set(['NAN', 'NaN', 'POSITIVE_INFINITY', 'NEGATIVE_INFINITY', 'Infinity', '-Infinity']);

/**
 * Decimal text (decimal.handling.mode=string) or a JSON number (double mode) → exact decimal at
 * `scale`; null for NaN/±Infinity when numericSpecialValues is `null`, else BadEventError.
 */
export function textDecimal(raw: JsonValue, scale: number, precision: number, options: DebeziumDecodeOptions): bigint | null {
  if (typeof raw === 'string' && SPECIAL_NUMERIC.has(raw)) return special(raw, options);
  if (typeof raw === 'number' && !Number.isFinite(raw)) return special(String(raw), options);
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'bigint') {
    throw new BadEventError(`expected a decimal, got ${previewValue(raw)}`);
  }
  return decimalFromString(String(raw), scale, precision);
}

function special(word: string, options: DebeziumDecodeOptions): null {
  if (options.numericSpecialValues === 'null') return null;
  throw new BadEventError(`numeric ${word} has no decimal equivalent (set numericSpecialValues: null to store null)`);
}

/** Exact decimal → unscaled bigint at the target's scale; throws when a digit would be lost or precision exceeded. */
export function rescale(d: ExactDecimal, scale: number, precision: number): bigint {
  let v = d.unscaled;
  if (d.scale < scale) v *= 10n ** BigInt(scale - d.scale);
  else if (d.scale > scale) {
    const f = 10n ** BigInt(d.scale - scale);
    if (v % f !== 0n) throw new BadEventError(`${decimalToString(d.unscaled, d.scale)} has more than ${scale} fraction digits (decimal(${precision},${scale}))`);
    v /= f;
  }
  const limit = 10n ** BigInt(precision);
  if (v >= limit || v <= -limit) throw new BadEventError(`${decimalToString(d.unscaled, d.scale)} does not fit decimal(${precision},${scale})`);
  return v;
}

/** Exact decimal into any numeric or string target (string: plain text at its own scale). */
export function decimalInto(d: ExactDecimal, target: IcebergType): IcebergValue {
  switch (target.type) {
    case 'decimal':
      return rescale(d, target.scale, target.precision);
    case 'string':
      return decimalToString(d.unscaled, d.scale);
    case 'long':
      return toLong(rescale(d, 0, 19));
    case 'int':
      return toInt(rescale(d, 0, 10));
    case 'double':
    case 'float':
      return toFloating(Number(decimalToString(d.unscaled, d.scale)), target);
    default:
      throw new BadEventError(`a decimal cannot go into ${target.type}`);
  }
}
