/**
 * JSON without losing 64-bit integers. `JSON.parse` rounds snapshot ids above 2^53; this
 * parser returns integers outside the safe range as `bigint` (others stay `number`), and the
 * writer prints `bigint` as plain digits. Output is compact, like Java's and pyiceberg's.
 */
import { CorruptFileError } from '../../core/errors.ts';

/** A parsed JSON value; unsafe integers are bigint. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | JsonObject;
/** A JSON object (key order kept). */
export interface JsonObject {
  [key: string]: JsonValue;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const INTEGER = /^-?\d+$/;

/** Parses `text`; `file` names the source in CorruptFileError messages (with the byte offset). */
export function parseJsonLossless(text: string, file: string): JsonValue {
  let pos = 0;
  const fail = (what: string): never => {
    throw new CorruptFileError(`json ${file}: ${what} at offset ${pos}`);
  };
  const skipWs = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      pos++;
    }
  };
  const parseString = (): string => {
    // Find the closing quote, then let JSON.parse handle escapes exactly.
    const start = pos;
    pos++;
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x5c) pos += 2;
      else if (c === 0x22) break;
      else if (c < 0x20) fail('control character in string');
      else pos++;
    }
    if (pos >= text.length) fail('unterminated string');
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };
  const parseValue = (depth: number): JsonValue => {
    if (depth > 512) fail('nesting too deep');
    skipWs();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const obj: JsonObject = {};
      skipWs();
      if (text[pos] === '}') {
        pos++;
        return obj;
      }
      for (;;) {
        skipWs();
        if (text[pos] !== '"') fail('expected a string key');
        const key = parseString();
        skipWs();
        if (text[pos] !== ':') fail(`expected ':' after key "${key}"`);
        pos++;
        obj[key] = parseValue(depth + 1);
        skipWs();
        if (text[pos] === ',') pos++;
        else if (text[pos] === '}') {
          pos++;
          return obj;
        } else fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      pos++;
      const arr: JsonValue[] = [];
      skipWs();
      if (text[pos] === ']') {
        pos++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(depth + 1));
        skipWs();
        if (text[pos] === ',') pos++;
        else if (text[pos] === ']') {
          pos++;
          return arr;
        } else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return parseString();
    if (text.startsWith('true', pos)) return (pos += 4), true;
    if (text.startsWith('false', pos)) return (pos += 5), false;
    if (text.startsWith('null', pos)) return (pos += 4), null;
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (!m) return fail(c === undefined ? 'unexpected end of input' : `unexpected character '${c}'`);
    pos += m[0].length;
    const n = Number(m[0]);
    if (INTEGER.test(m[0]) && !Number.isSafeInteger(n)) return BigInt(m[0]);
    return n;
  };
  const value = parseValue(0);
  skipWs();
  if (pos !== text.length) fail('trailing characters');
  return value;
}

/** Compact JSON text of `value`; bigint prints as digits, undefined object members are omitted. */
export function stringifyJsonLossless(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError(`json: cannot write non-finite number ${value}`);
      return JSON.stringify(value);
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(stringifyJsonLossless).join(',')}]`;
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v !== undefined) parts.push(`${JSON.stringify(k)}:${stringifyJsonLossless(v)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TypeError(`json: cannot write a ${typeof value}`);
  }
}
