/**
 * JSON text of Kafka records → values, without losing int64s: JSON.parse when every integer
 * token is within 2^53 (the common case, and fast), else the lossless parser, which returns
 * unsafe integers as bigint.
 */
import { BadEventError } from '../../core/errors.ts';
import { parseJsonLossless, type JsonValue } from '../../iceberg/spec/lossless-json.ts';

const LONG_DIGITS = /\d{16,}/g;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** True when some run of 16+ digits (possibly inside a string: harmless) exceeds 2^53 − 1. */
function mayHoldUnsafeInteger(text: string): boolean {
  LONG_DIGITS.lastIndex = 0;
  for (let m = LONG_DIGITS.exec(text); m; m = LONG_DIGITS.exec(text)) {
    if (m[0].length > 16 || BigInt(m[0]) > MAX_SAFE) return true;
  }
  return false;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes (or text) → JSON value; `what` names the record part in BadEventError messages. */
export function parseRecordJson(data: Uint8Array | string, what: string): JsonValue {
  let text: string;
  try {
    text = typeof data === 'string' ? data : decoder.decode(data);
  } catch (cause) {
    throw new BadEventError(`${what} is not valid UTF-8`, { cause });
  }
  try {
    return mayHoldUnsafeInteger(text) ? parseJsonLossless(text, what) : (JSON.parse(text) as JsonValue);
  } catch (cause) {
    throw new BadEventError(`${what} is not JSON: ${preview(text)}`, { cause });
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
