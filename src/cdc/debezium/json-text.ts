/**
 * JSON text of Kafka records → values, without losing int64s: JSON.parse when every integer
 * token is within 2^53 (the common case, and fast), else the lossless parser, which returns
 * unsafe integers as bigint.
 */
import { BadEventError } from '../../core/errors.ts';
import { parseJsonLossless, type JsonValue } from '../../iceberg/spec/lossless-json.ts';

const LONG_DIGITS = /(?<!\d)\d{16,}/g;
// In Debezium's own source block, ts_us/ts_ns (unused by floe) exceed 2^53 in every record.
const LONG_DIGITS_NOT_TS = /(?<!\d|"ts_[un]s":)\d{16,}/g;
// A JSON string cannot hold an unescaped quote, so this marks the envelope's source block.
const SOURCE_MARK = '"source":{"version":';
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function unsafeIn(text: string, re: RegExp, from: number, to: number): boolean {
  re.lastIndex = from;
  for (let m = re.exec(text); m && m.index < to; m = re.exec(text)) {
    if (m[0].length > 16 || BigInt(m[0]) > MAX_SAFE) return true;
  }
  return false;
}

/**
 * True when some run of 16+ digits exceeds 2^53 − 1 (a run inside a string only costs the
 * slower parse). From Debezium's source block on, the ts_us/ts_ns fields are not counted.
 */
function mayHoldUnsafeInteger(text: string): boolean {
  const cut = text.lastIndexOf(SOURCE_MARK);
  if (cut < 0) return unsafeIn(text, LONG_DIGITS, 0, text.length);
  return unsafeIn(text, LONG_DIGITS, 0, cut) || unsafeIn(text, LONG_DIGITS_NOT_TS, cut, text.length);
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes → text (text passes through); BadEventError naming `what()` when not UTF-8. */
export function utf8Text(data: Uint8Array | string, what: () => string): string {
  if (typeof data === 'string') return data;
  try {
    return decoder.decode(data);
  } catch (cause) {
    throw new BadEventError(`${what()} is not valid UTF-8`, { cause });
  }
}

/** UTF-8 bytes (or text) → JSON value; `what()` names the record part in BadEventError messages. */
export function parseRecordJson(data: Uint8Array | string, what: () => string): JsonValue {
  const text = utf8Text(data, what);
  try {
    return mayHoldUnsafeInteger(text) ? parseJsonLossless(text, 'record') : (JSON.parse(text) as JsonValue);
  } catch (cause) {
    throw new BadEventError(`${what()} is not JSON: ${preview(text)}`, { cause });
  }
}

/** At most `max` characters of `text` for messages, with the original length when cut. */
export function preview(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}

/** A JSON value shown in messages: JSON text (bigints as digits), cut to `max` characters. */
export function previewValue(value: unknown, max = 200): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  return preview(text, max);
}

/** True for a plain JSON object (not null, not an array). */
export function isObject(v: JsonValue | undefined): v is { [k: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
