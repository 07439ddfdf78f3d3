/**
 * Parsers for the small string languages inside floe.yaml: dotted names (`schema.table`,
 * `namespace.table`), partition expressions (`bucket(16, id)`) and `decimal(P,S)`.
 * Each returns the parsed value or a string saying what was expected.
 */
import type { Transform } from '../iceberg/spec/types.ts';
import type { PartitionFieldConfig, UnconstrainedNumeric } from './types.ts';

/** A parse result: the value, or an explanation of what was expected. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

/**
 * Splits a dotted name into parts. Names are exact (no case folding); a part containing a dot
 * or a double quote is written in double quotes with `""` for a quote: `"my.schema"."t ""x"""`.
 * Returns undefined for an empty part or an unterminated quote.
 */
export function splitDottedName(text: string): string[] | undefined {
  const parts: string[] = [];
  let i = 0;
  for (;;) {
    let part = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) return undefined;
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += text[i++];
      }
    } else {
      const end = text.indexOf('.', i);
      part = text.slice(i, end === -1 ? text.length : end);
      if (part.includes('"')) return undefined;
      i = end === -1 ? text.length : end;
    }
    if (part === '') return undefined;
    parts.push(part);
    if (i >= text.length) return parts;
    if (text[i] !== '.') return undefined;
    i++;
  }
}

/** `schema.table` → parts; exactly two parts are required. */
export function parseSourceTable(text: string): Parsed<{ schema: string; table: string }> {
  const parts = splitDottedName(text);
  if (parts?.length !== 2) return { ok: false, expected: 'expected "schema.table" (quote a part containing "." as "a.b")' };
  return { ok: true, value: { schema: parts[0]!, table: parts[1]! } };
}

/** `namespace.table` or `ns1.ns2.table` → namespace levels and name (at least two parts). */
export function parseTargetTable(text: string): Parsed<{ namespace: string[]; name: string }> {
  const parts = splitDottedName(text);
  if (!parts || parts.length < 2) return { ok: false, expected: 'expected "namespace.table"' };
  return { ok: true, value: { namespace: parts.slice(0, -1), name: parts[parts.length - 1]! } };
}

const PARTITION_RE = /^\s*(?:(\w+)\s*\(\s*(?:(\d+)\s*,\s*)?("(?:[^"]|"")+"|[^,()"]+?)\s*\)|("(?:[^"]|"")+"|[^,()"\s]+))\s*$/;
const UNARY: Record<string, Transform> = { identity: 'identity', year: 'year', month: 'month', day: 'day', hour: 'hour', void: 'void' };
const EXPECTED_PARTITION =
  'expected a column, identity(col), year(col), month(col), day(col), hour(col), bucket(N, col), truncate(W, col) or void(col)';

/** Parses one `partitionBy` entry; a bare column name means identity. N and W must be ≥ 1. */
export function parsePartitionField(text: string): Parsed<PartitionFieldConfig> {
  const m = PARTITION_RE.exec(text);
  if (!m) return { ok: false, expected: EXPECTED_PARTITION };
  const [, fn, arg, inner, bare] = m;
  const unquote = (s: string) => (s.startsWith('"') ? s.slice(1, -1).replaceAll('""', '"') : s);
  if (bare !== undefined) return { ok: true, value: { transform: 'identity', column: unquote(bare) } };
  const column = unquote(inner!);
  const name = fn!.toLowerCase();
  if (name === 'bucket' || name === 'truncate') {
    const n = arg === undefined ? NaN : Number(arg);
    if (!(n >= 1 && Number.isSafeInteger(n))) return { ok: false, expected: `expected ${name}(N, column) with an integer N ≥ 1` };
    return { ok: true, value: { transform: `${name}[${n}]`, column } };
  }
  const transform = UNARY[name];
  if (!transform || arg !== undefined) return { ok: false, expected: EXPECTED_PARTITION };
  return { ok: true, value: { transform, column } };
}

/** `'string'` or `'decimal(P,S)'` with 1 ≤ P ≤ 38 and 0 ≤ S ≤ P. */
export function parseUnconstrainedNumeric(text: string): Parsed<UnconstrainedNumeric> {
  if (text === 'string') return { ok: true, value: { type: 'string' } };
  const m = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(text.trim());
  const precision = Number(m?.[1]);
  const scale = Number(m?.[2]);
  if (!m || precision < 1 || precision > 38 || scale > precision) {
    return { ok: false, expected: "expected 'string' or 'decimal(P,S)' with 1 ≤ P ≤ 38 and 0 ≤ S ≤ P, e.g. 'decimal(38,10)'" };
  }
  return { ok: true, value: { type: 'decimal', precision, scale } };
}
