import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decimalFromBytes,
  decimalToMinBytes,
  fromSingleValue,
  toSingleValue,
  truncateLowerBound,
  truncateUpperBound,
} from './single-value.ts';
import type { IcebergValue, PrimitiveType } from './types.ts';

const t = (type: string): PrimitiveType => ({ type }) as PrimitiveType;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fromHex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

const ROUND_TRIPS: [PrimitiveType, IcebergValue, string][] = [
  [t('boolean'), true, '01'],
  [t('boolean'), false, '00'],
  [t('int'), 34, '22000000'],
  [t('int'), -2147483648, '00000080'],
  [t('int'), 2147483647, 'ffffff7f'],
  [t('long'), 34n, '2200000000000000'],
  [t('long'), -(2n ** 63n), '0000000000000080'],
  [t('long'), 2n ** 63n - 1n, 'ffffffffffffff7f'],
  [t('float'), 1, '0000803f'],
  [t('float'), -0, '00000080'],
  [t('double'), 1, '000000000000f03f'],
  [t('double'), -0, '0000000000000080'],
  [t('double'), Infinity, '000000000000f07f'],
  [t('date'), 17486, '4e440000'], // 2017-11-16
  [t('date'), -1, 'ffffffff'], // 1969-12-31
  [t('time'), 81068000000n, '008307e012000000'], // 22:31:08
  [t('timestamp'), -1n, 'ffffffffffffffff'],
  [t('timestamptz'), 1510871468000000n, '00c3262d215e0500'],
  [t('string'), 'iceberg', '69636562657267'],
  [t('string'), 'é😀', 'c3a9f09f9880'],
  [t('string'), '', ''],
  [t('uuid'), 'f79c3e09-677c-4bbd-a479-3f349cb785e7', 'f79c3e09677c4bbda4793f349cb785e7'],
  [t('binary'), Uint8Array.of(0, 1, 2, 255), '000102ff'],
  [{ type: 'fixed', length: 3 }, Uint8Array.of(9, 8, 7), '090807'],
  [{ type: 'decimal', precision: 4, scale: 2 }, 1420n, '058c'], // 14.20
  [{ type: 'decimal', precision: 9, scale: 2 }, 0n, '00'],
  [{ type: 'decimal', precision: 9, scale: 2 }, -1n, 'ff'],
  [{ type: 'decimal', precision: 9, scale: 2 }, 128n, '0080'],
  [{ type: 'decimal', precision: 9, scale: 2 }, -129n, 'ff7f'],
  [{ type: 'decimal', precision: 38, scale: 10 }, 10n ** 38n - 1n, '4b3b4ca85a86c47a098a223fffffffff'],
  [{ type: 'decimal', precision: 38, scale: 10 }, -(10n ** 38n - 1n), 'b4c4b357a5793b85f675ddc000000001'],
];

test('single values serialize to the spec bytes and back', () => {
  for (const [type, value, expected] of ROUND_TRIPS) {
    const bytes = toSingleValue(type, value);
    assert.equal(hex(bytes), expected, `${type.type} ${String(value)}`);
    const back = fromSingleValue(type, bytes);
    assert.deepEqual(back, value, `${type.type} ${String(value)}`); // deepStrictEqual tells -0 from 0
  }
});

test('NaN and -0 survive; a NaN float stays NaN', () => {
  assert.ok(Number.isNaN(fromSingleValue(t('double'), toSingleValue(t('double'), NaN))));
  assert.ok(Number.isNaN(fromSingleValue(t('float'), toSingleValue(t('float'), NaN))));
  assert.ok(Object.is(fromSingleValue(t('float'), toSingleValue(t('float'), -0)), -0));
});

test('decimal minimal bytes at every width boundary', () => {
  for (let bits = 1; bits <= 128; bits++) {
    for (const v of [2n ** BigInt(bits) - 1n, -(2n ** BigInt(bits)), 2n ** BigInt(bits)]) {
      const bytes = decimalToMinBytes(v);
      assert.equal(decimalFromBytes(bytes), v);
      // minimal: one byte fewer cannot hold it
      if (bytes.length > 1) assert.notEqual(BigInt.asIntN(8 * (bytes.length - 1), v), v);
    }
  }
});

test('promoted types read narrower bounds (spec schema evolution table)', () => {
  assert.equal(fromSingleValue(t('long'), toSingleValue(t('int'), -5)), -5n);
  assert.equal(fromSingleValue(t('double'), toSingleValue(t('float'), 1.5)), 1.5);
  assert.equal(fromSingleValue(t('timestamp'), toSingleValue(t('date'), -1)), -86400000000n);
  assert.equal(fromSingleValue({ type: 'decimal', precision: 20, scale: 2 }, fromHex('058c')), 1420n);
});

test('bad lengths and bad values throw naming the type', () => {
  assert.throws(() => fromSingleValue(t('int'), fromHex('0102')), { name: 'CorruptFileError', message: /int has 2 bytes, expected 4/ });
  assert.throws(() => fromSingleValue(t('uuid'), fromHex('01')), /uuid/);
  assert.throws(() => fromSingleValue(t('string'), fromHex('c3')), /UTF-8/);
  assert.throws(() => fromSingleValue({ type: 'fixed', length: 4 }, fromHex('01')), /expected 4/);
  assert.throws(() => toSingleValue(t('int'), 2 ** 31), { name: 'BadEventError', message: /as int/ });
  assert.throws(() => toSingleValue(t('long'), 5), /as long/);
  assert.throws(() => toSingleValue(t('long'), 2n ** 63n), /as long/);
  assert.throws(() => toSingleValue(t('string'), null), /null/);
  assert.throws(() => toSingleValue({ type: 'fixed', length: 2 }, Uint8Array.of(1)), /expected 2 bytes/);
});

test('string bounds truncate by code points; upper bound increments the last one', () => {
  const s = t('string');
  assert.equal(truncateLowerBound(s, 'iceberg', 3), 'ice');
  assert.equal(truncateUpperBound(s, 'iceberg', 3), 'icf');
  assert.equal(truncateLowerBound(s, 'ice', 3), 'ice');
  assert.equal(truncateUpperBound(s, 'ice', 3), 'ice');
  assert.equal(truncateLowerBound(s, '😀😀😀', 2), '😀😀');
  assert.equal(truncateUpperBound(s, '😀😀😀', 2), '😀😁');
  assert.equal(truncateUpperBound(s, 'a\u{10FFFF}\u{10FFFF}x', 3), 'b');
  assert.equal(truncateUpperBound(s, '\u{10FFFF}\u{10FFFF}x', 2), null);
  assert.equal(truncateUpperBound(s, 'a\uD7FFz', 2), 'a\uE000'); // skips surrogates
  assert.equal(truncateLowerBound(s, 'x'.repeat(20)), 'x'.repeat(16));
});

test('binary bounds truncate by bytes; upper bound carries past 0xff', () => {
  const b = t('binary');
  assert.deepEqual(truncateLowerBound(b, Uint8Array.of(1, 2, 3, 4), 2), Uint8Array.of(1, 2));
  assert.deepEqual(truncateUpperBound(b, Uint8Array.of(1, 2, 3, 4), 2), Uint8Array.of(1, 3));
  assert.deepEqual(truncateUpperBound(b, Uint8Array.of(1, 0xff, 3), 2), Uint8Array.of(2));
  assert.equal(truncateUpperBound(b, Uint8Array.of(0xff, 0xff, 3), 2), null);
  const short = Uint8Array.of(0xff);
  assert.equal(truncateUpperBound(b, short, 2), short);
  assert.equal(truncateUpperBound(t('long'), 5n, 1), 5n);
});
