/**
 * PostgreSQL NUMERIC in binary form: int16 ndigits, int16 weight, uint16 sign, int16 dscale,
 * then ndigits base-10000 digits (most significant first; value = Σ d[i]·10000^(weight−i)).
 * Decoded exactly: to an unscaled bigint at a target scale, or to PostgreSQL's text form.
 */

/** Sign words: positive, negative, NaN, +Infinity, −Infinity (PostgreSQL 14+ for the infinities). */
export const NUMERIC_POS = 0x0000;
export const NUMERIC_NEG = 0x4000;
export const NUMERIC_NAN = 0xc000;
export const NUMERIC_PINF = 0xd000;
export const NUMERIC_NINF = 0xf000;

/** A NUMERIC that is not a finite number. */
export type NumericSpecial = 'NaN' | 'Infinity' | '-Infinity';

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i); // exact as doubles up to 1e22
const BIG_POW10 = Array.from({ length: 80 }, (_, i) => 10n ** BigInt(i));

function special(sign: number): NumericSpecial | undefined {
  if (sign === NUMERIC_NAN) return 'NaN';
  if (sign === NUMERIC_PINF) return 'Infinity';
  if (sign === NUMERIC_NINF) return '-Infinity';
  return undefined;
}

/**
 * The value at `off` as an unscaled integer at `scale` (123.45 at scale 2 → 12345n), or the
 * special value's name. Returns `undefined` when the value has more fractional digits than
 * `scale` or more than `precision` digits in all: the caller names the column in its error.
 */
export function decodeNumericUnscaled(view: DataView, off: number, precision: number, scale: number): bigint | NumericSpecial | undefined {
  const ndigits = view.getInt16(off);
  const weight = view.getInt16(off + 2);
  const sign = view.getUint16(off + 4);
  if (sign !== NUMERIC_POS && sign !== NUMERIC_NEG) return special(sign);
  if (ndigits === 0) return 0n;
  // exponent (power of ten) of the last base-10000 digit once the value is scaled by 10^scale
  const exp = 4 * (weight - ndigits + 1) + scale;
  let p = off + 8;
  let result: bigint;
  if (ndigits <= 3) {
    let n = 0;
    for (let i = 0; i < ndigits; i++, p += 2) n = n * 10000 + view.getInt16(p);
    if (exp >= 0 && exp <= 22 && n * POW10[exp]! <= Number.MAX_SAFE_INTEGER) {
      const v = n * POW10[exp]!;
      if (precision < 16 && v >= POW10[precision]!) return undefined;
      return BigInt(sign === NUMERIC_NEG ? -v : v);
    }
    if (exp < 0) {
      const div = POW10[-exp];
      if (div === undefined || n % div !== 0) return undefined;
      const v = n / div;
      if (precision < 16 && v >= POW10[precision]!) return undefined;
      return BigInt(sign === NUMERIC_NEG ? -v : v);
    }
    result = BigInt(n) * BIG_POW10[exp]!;
  } else {
    // base 10^8 pairs keep BigInt work per digit low
    let n = 0n;
    let i = 0;
    if (ndigits % 2 === 1) {
      n = BigInt(view.getInt16(p));
      p += 2;
      i = 1;
    }
    for (; i < ndigits; i += 2, p += 4) n = n * 100000000n + BigInt(view.getInt16(p) * 10000 + view.getInt16(p + 2));
    if (exp >= 0) {
      result = n * (BIG_POW10[exp] ?? 10n ** BigInt(exp));
    } else {
      const div = BIG_POW10[-exp] ?? 10n ** BigInt(-exp);
      if (n % div !== 0n) return undefined;
      result = n / div;
    }
  }
  if (result >= (BIG_POW10[precision] ?? 10n ** BigInt(precision))) return undefined;
  return sign === NUMERIC_NEG ? -result : result;
}

/** PostgreSQL's own text form of the value (`-12.3400` keeps dscale zeros; `NaN`, `Infinity`). */
export function decodeNumericText(view: DataView, off: number): string {
  const ndigits = view.getInt16(off);
  const weight = view.getInt16(off + 2);
  const sign = view.getUint16(off + 4);
  const dscale = view.getInt16(off + 6);
  const sp = special(sign);
  if (sp !== undefined) return sp;
  const digit = (i: number) => (i >= 0 && i < ndigits ? view.getInt16(off + 8 + 2 * i) : 0);
  let int = '';
  for (let i = 0; i <= weight; i++) {
    const d = digit(i);
    int += i === 0 ? String(d) : String(d).padStart(4, '0');
  }
  if (int === '') int = '0';
  let frac = '';
  for (let i = weight + 1; frac.length < dscale; i++) frac += String(digit(i)).padStart(4, '0');
  frac = frac.slice(0, dscale);
  const text = dscale > 0 ? `${int}.${frac}` : int;
  return sign === NUMERIC_NEG && /[1-9]/.test(text) ? `-${text}` : text;
}
