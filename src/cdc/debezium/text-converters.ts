/**
 * Debezium values that land in Iceberg string, uuid and binary columns: intervals (normalized
 * to PostgreSQL's `iso_8601` IntervalStyle, as `floe load` writes them), MicroDuration,
 * geometry, uuids, and bytea in every `binary.handling.mode`.
 */
import { BadEventError } from '../../core/errors.ts';
import type { JsonValue } from '../../iceberg/spec/lossless-json.ts';
import { decimalToString, uuidToBytes } from '../../iceberg/spec/values.ts';
import { isObject, previewValue } from './json-text.ts';
import { base64Bytes, jsonInteger } from './numeric-converters.ts';
import type { DebeziumDecodeOptions } from './types.ts';

const DEBEZIUM_INTERVAL = /^P(-?\d+)Y(-?\d+)M(-?\d+)DT(-?\d+)H(-?\d+)M(-?\d+(?:\.\d+)?)S$/;

/**
 * `io.debezium.time.Interval` (`P1Y2M-3DT4H5M6.789S`, every part present) → PostgreSQL's
 * iso_8601 form, which leaves out zero parts (`P0Y0M-1DT0H0M-0.000001S` → `P-1DT-0.000001S`,
 * all zero → `PT0S`). Other text is kept as is.
 */
export function intervalText(raw: JsonValue): string {
  if (typeof raw !== 'string') throw new BadEventError(`Interval expects text, got ${previewValue(raw)}`);
  const m = DEBEZIUM_INTERVAL.exec(raw);
  if (!m) return raw;
  const [, y, mo, d, h, mi, s] = m as unknown as string[];
  const part = (v: string, unit: string): string => (Number(v) === 0 ? '' : `${v.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '')}${unit}`);
  const date = part(y!, 'Y') + part(mo!, 'M') + part(d!, 'D');
  const time = part(h!, 'H') + part(mi!, 'M') + part(s!, 'S');
  if (date === '' && time === '') return 'PT0S';
  return `P${date}${time === '' ? '' : `T${time}`}`;
}

/**
 * `io.debezium.time.MicroDuration` (interval.handling.mode=numeric): Debezium's approximate µs
 * (a month counted as 30.4375 days) → `PT<seconds>S`, e.g. 36572706789000 → `PT36572706.789S`.
 */
export function microDurationText(raw: JsonValue): string {
  const text = decimalToString(jsonInteger(raw), 6).replace(/\.?0+$/, '');
  return `PT${text === '' || text === '-' ? '0' : text}S`;
}

/** `io.debezium.data.geometry.Point` {x, y} → PostgreSQL's point text `(x,y)`. */
export function pointText(raw: JsonValue): string {
  if (!isObject(raw) || typeof raw.x !== 'number' || typeof raw.y !== 'number') {
    throw new BadEventError(`Point expects {x, y}, got ${previewValue(raw)}`);
  }
  return `(${raw.x},${raw.y})`;
}

/**
 * PostGIS `Geometry`/`Geography` {wkb, srid} → hex EWKB (upper case, SRID embedded), PostGIS's
 * own text output.
 */
export function geometryText(raw: JsonValue): string {
  if (!isObject(raw) || typeof raw.wkb !== 'string') throw new BadEventError(`Geometry expects {wkb, srid}, got ${previewValue(raw)}`);
  const wkb = base64Bytes(raw.wkb);
  if (raw.srid === null || raw.srid === undefined || wkb.length < 5) return Buffer.from(wkb).toString('hex').toUpperCase();
  const little = wkb[0] === 1;
  const view = new DataView(wkb.buffer, wkb.byteOffset, wkb.byteLength);
  const out = new Uint8Array(wkb.length + 4);
  const outView = new DataView(out.buffer);
  out[0] = wkb[0]!;
  outView.setUint32(1, (view.getUint32(1, little) | 0x20000000) >>> 0, little);
  outView.setUint32(5, Number(jsonInteger(raw.srid)), little);
  out.set(wkb.subarray(5), 9);
  return Buffer.from(out).toString('hex').toUpperCase();
}

/** uuid text (any case) → lowercase canonical form; BadEventError when not a uuid. */
export function uuidText(raw: JsonValue): string {
  if (typeof raw !== 'string') throw new BadEventError(`uuid expects text, got ${previewValue(raw)}`);
  uuidToBytes(raw);
  return raw.toLowerCase();
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * bytea as JSON text: base64 when the schema says `bytes` (the JSON converter's encoding) or,
 * without schema, when binary.handling.mode is `bytes`; otherwise per binary.handling.mode.
 */
export function binaryBytes(raw: JsonValue, schemaType: string | undefined, options: DebeziumDecodeOptions): Uint8Array {
  if (typeof raw !== 'string') throw new BadEventError(`binary expects text, got ${previewValue(raw)}`);
  const mode = schemaType === 'bytes' ? 'bytes' : options.binaryHandlingMode;
  if (mode === 'hex') {
    if (!HEX.test(raw)) throw new BadEventError(`expected hex (binary.handling.mode=hex), got ${previewValue(raw)}`);
    return new Uint8Array(Buffer.from(raw, 'hex'));
  }
  if (mode === 'base64-url-safe') {
    if (!/^[A-Za-z0-9_-]*={0,2}$/.test(raw)) throw new BadEventError(`expected base64url, got ${previewValue(raw)}`);
    return new Uint8Array(Buffer.from(raw, 'base64url'));
  }
  return base64Bytes(raw);
}

/** The forms the unavailable-value placeholder takes in a binary column, per binary.handling.mode. */
export function binaryPlaceholders(options: DebeziumDecodeOptions): readonly string[] {
  const bytes = Buffer.from(options.unavailableValue, 'utf8');
  // Measured (3.6.1): bytes mode sends the placeholder's bytes (base64 in JSON); hex mode the
  // placeholder text itself; base64 mode sends null (indistinguishable from NULL: see docs/cdc.md).
  return [options.unavailableValue, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')];
}
