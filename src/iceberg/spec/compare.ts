/**
 * The total order of Iceberg primitive values, used for lower/upper bounds, sorting and
 * predicate evaluation. Choices, and why:
 *   - float/double follow Java's `Double.compare`: -0 < 0, and NaN is above everything
 *     (equal to itself). Callers exclude NaN from bounds (the spec counts NaNs separately).
 *   - strings compare by Unicode code point, which equals UTF-8 byte order and Java's
 *     surrogate-aware CharSeqComparator; plain JS `<` (UTF-16 units) would misorder U+E000..U+FFFF
 *     against characters beyond U+FFFF.
 *   - binary/fixed: unsigned bytes, lexicographic; a prefix sorts first.
 *   - uuid: unsigned big-endian bytes (RFC 9562, Parquet, pyiceberg, Iceberg Java after the
 *     fix in apache/iceberg#14500). Older Java readers compared signed halves, so bounds that
 *     straddle 0x80... at the top byte can be misread by them.
 */
import type { IcebergValue, PrimitiveType } from './types.ts';
import { BadEventError } from '../../core/errors.ts';

type Comparator = (a: IcebergValue, b: IcebergValue) => number;

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

function compareNumbers(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  const aNaN = Number.isNaN(a);
  const bNaN = Number.isNaN(b);
  if (aNaN || bNaN) return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
  // Equal by ==: only ±0 can still differ.
  return sign((Object.is(a, -0) ? -1 : 0) - (Object.is(b, -0) ? -1 : 0));
}

function compareBigints(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Unsigned lexicographic byte order; a strict prefix sorts first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return sign(d);
  }
  return sign(a.length - b.length);
}

/** Code point order (= UTF-8 byte order) of two strings. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (U+D800..U+DFFF) stands for a code point above U+FFFF, above every BMP unit.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return sign(a.length - b.length);
}

function expect<T>(kind: string, check: (v: IcebergValue) => boolean, fn: (a: T, b: T) => number): Comparator {
  return (a, b) => {
    if (!check(a) || !check(b)) {
      throw new BadEventError(`cannot compare ${String(a)} and ${String(b)} as ${kind}`);
    }
    return fn(a as T, b as T);
  };
}

const isNumber = (v: IcebergValue): boolean => typeof v === 'number';
const isBigint = (v: IcebergValue): boolean => typeof v === 'bigint';
const isString = (v: IcebergValue): boolean => typeof v === 'string';
const isBytes = (v: IcebergValue): boolean => v instanceof Uint8Array;

const numbers = (kind: string) => expect<number>(kind, isNumber, compareNumbers);
const bigints = (kind: string) => expect<bigint>(kind, isBigint, compareBigints);

/** Comparator by primitive type name (decimal and fixed share one regardless of parameters). */
const COMPARATORS: Record<PrimitiveType['type'], Comparator> = {
  boolean: expect<boolean>('boolean', (v) => typeof v === 'boolean', (a, b) => Number(a) - Number(b)),
  int: numbers('int'),
  long: bigints('long'),
  float: numbers('float'),
  double: numbers('double'),
  decimal: bigints('decimal'),
  date: numbers('date'),
  time: bigints('time'),
  timestamp: bigints('timestamp'),
  timestamptz: bigints('timestamptz'),
  string: expect<string>('string', isString, compareStrings),
  // Canonical lowercase 8-4-4-4-12 text sorts exactly like its unsigned big-endian bytes.
  uuid: expect<string>('uuid', isString, (a, b) => compareStrings(a.toLowerCase(), b.toLowerCase())),
  binary: expect<Uint8Array>('binary', isBytes, compareBytes),
  fixed: expect<Uint8Array>('fixed', isBytes, compareBytes),
};

/**
 * Compares two non-null values of `type`: negative if a < b, 0 if equal, positive if a > b.
 * Throws BadEventError when a value does not have the type's in-memory representation.
 */
export function compareValues(type: PrimitiveType, a: IcebergValue, b: IcebergValue): number {
  return COMPARATORS[type.type](a, b);
}

/** The comparator for `type`, for hot loops (same semantics as `compareValues`). */
export function comparatorFor(type: PrimitiveType): (a: IcebergValue, b: IcebergValue) => number {
  return COMPARATORS[type.type];
}
