/**
 * Test helpers: hand-built PostgreSQL binary values and COPY streams (used by unit tests and
 * bench/copy-decoder.ts; not used at run time).
 */

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];

/** A binary COPY stream of `rows` (each field the value's bytes, or null), with header and trailer. */
export function copyStream(rows: readonly (readonly (Uint8Array | null)[])[], headerExtension = new Uint8Array(0)): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.from(SIGNATURE), be(4, 0), be(4, headerExtension.length), headerExtension];
  for (const row of rows) {
    parts.push(be(2, row.length));
    for (const field of row) {
      if (field === null) parts.push(be(4, -1));
      else parts.push(be(4, field.length), field);
    }
  }
  parts.push(be(2, -1));
  return Buffer.concat(parts);
}

function be(bytes: 1 | 2 | 4, n: number): Uint8Array {
  const b = Buffer.alloc(bytes);
  if (bytes === 1) b.writeInt8(n);
  else if (bytes === 2) b.writeInt16BE(n);
  else b.writeInt32BE(n);
  return b;
}

function i64(n: bigint): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
}

/** NUMERIC binary of a decimal string (or NaN/Infinity/-Infinity), dscale = digits after the point. */
function numeric(text: string): Uint8Array {
  const specials: Record<string, number> = { NaN: 0xc000, Infinity: 0xd000, '-Infinity': 0xf000 };
  if (text in specials) return Buffer.concat([be(2, 0), be(2, 0), Buffer.from([specials[text]! >> 8, 0]), be(2, 0)]);
  const neg = text.startsWith('-');
  const [intPart, frac = ''] = text.replace('-', '').split('.') as [string, string?];
  const intPadded = intPart.padStart(Math.ceil(intPart.length / 4) * 4, '0');
  const fracPadded = frac.padEnd(Math.ceil(frac.length / 4) * 4, '0');
  let digits = [...(intPadded + fracPadded).matchAll(/\d{4}/g)].map((m) => Number(m[0]));
  let weight = intPadded.length / 4 - 1;
  while (digits.length > 0 && digits[0] === 0) {
    digits.shift();
    weight--;
  }
  while (digits.length > 0 && digits[digits.length - 1] === 0) digits.pop();
  if (digits.length === 0) weight = 0;
  digits = digits.slice();
  return Buffer.concat([be(2, digits.length), be(2, weight), Buffer.from([neg ? 0x40 : 0, 0]), be(2, frac.length), ...digits.map((d) => be(2, d))]);
}

/** Field encoders by PostgreSQL type, producing the bytes PostgreSQL sends. */
export const f = {
  bool: (v: boolean) => Uint8Array.of(v ? 1 : 0),
  int2: (n: number) => be(2, n),
  int4: (n: number) => be(4, n),
  int8: i64,
  float4: (n: number) => {
    const b = Buffer.alloc(4);
    b.writeFloatBE(n);
    return b;
  },
  float8: (n: number) => {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(n);
    return b;
  },
  text: (s: string) => Buffer.from(s, 'utf8'),
  numeric,
  /** days since 2000-01-01 */
  date: (pgDays: number) => be(4, pgDays),
  /** µs since 2000-01-01 */
  timestamp: i64,
  bytes: (...b: number[]) => Uint8Array.from(b),
  concat: (...parts: Uint8Array[]) => Buffer.concat(parts),
  i32: (n: number) => be(4, n),
  i16: (n: number) => be(2, n),
};
