/**
 * JSON text of Kafka records → values, without losing int64s: JSON.parse, and when the result
 * holds an integer at or beyond 2^53 (which JSON.parse may have rounded) the lossless parser,
 * which returns unsafe integers as bigint. Measured: checking the parsed values costs well
 * under a microsecond per envelope, where scanning the text for long digit runs cost ~4 µs.
 */
import { BadEventError } from '../../core/errors.ts';
import { parseJsonLossless, type JsonValue } from '../../iceberg/spec/lossless-json.ts';

/** True for an integer that JSON.parse may have rounded (|v| >= 2^53; 2^53 itself is exact but counted). */
function unsafeNumber(v: JsonValue | undefined): boolean {
  return typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v);
}

/** True when some integer anywhere in `v` may have been rounded by JSON.parse. */
function anyUnsafe(v: JsonValue | undefined): boolean {
  if (typeof v !== 'object' || v === null) return unsafeNumber(v);
  if (Array.isArray(v)) {
    for (const x of v) if (anyUnsafe(x)) return true;
    return false;
  }
  for (const k in v) if (anyUnsafe((v as Record<string, JsonValue>)[k])) return true;
  return false;
}

// Debezium's own clocks, unused by floe: ts_us/ts_ns exceed 2^53 in every envelope and source block.
const CLOCK_KEYS = new Set(['ts_us', 'ts_ns']);

/** Like anyUnsafe, skipping Debezium's ts_us/ts_ns in an envelope (an object with a `source` object) and in its source block. */
function envelopeUnsafe(v: JsonValue): boolean {
  if (!isObject(v)) return anyUnsafe(v);
  if (isObject(v['payload']) && 'schema' in v) return anyUnsafe(v['schema']) || envelopeUnsafe(v['payload']!);
  const source = v['source'];
  if (!isObject(source)) return anyUnsafe(v);
  for (const k in v) {
    if (CLOCK_KEYS.has(k)) continue;
    if (k === 'source') {
      for (const sk in source) if (!CLOCK_KEYS.has(sk) && anyUnsafe(source[sk])) return true;
    } else if (anyUnsafe(v[k])) return true;
  }
  return false;
}

/**
 * True when JSON.parse may have rounded an integer in the members of an envelope whose source
 * block is an object (Debezium's clocks ts_us/ts_ns on the envelope are skipped, as above).
 */
export function envelopeMembersUnsafe(members: { [k: string]: JsonValue }): boolean {
  for (const k in members) if (!CLOCK_KEYS.has(k) && anyUnsafe(members[k])) return true;
  return false;
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
  return parseJsonText(utf8Text(data, what), what);
}

/** JSON text → JSON value, as parseRecordJson. */
export function parseJsonText(text: string, what: () => string): JsonValue {
  try {
    // JSON.parse first (fast); only an integer it may have rounded sends the text to the lossless parser.
    const fast = JSON.parse(text) as JsonValue;
    return envelopeUnsafe(fast) ? parseJsonLossless(text, 'record') : fast;
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
