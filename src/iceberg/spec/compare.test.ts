import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareBytes, compareStrings, compareValues } from './compare.ts';
import type { IcebergValue, PrimitiveType } from './types.ts';

const t = (type: string): PrimitiveType => ({ type }) as PrimitiveType;

function assertAscending(type: PrimitiveType, values: IcebergValue[]) {
  for (let i = 0; i < values.length; i++) {
    for (let j = 0; j < values.length; j++) {
      const got = Math.sign(compareValues(type, values[i]!, values[j]!));
      assert.equal(got, Math.sign(i - j), `${String(values[i])} vs ${String(values[j])} as ${type.type}`);
    }
  }
}

test('floats: -Infinity < -0 < 0 < Infinity < NaN, as Java Double.compare', () => {
  assertAscending(t('double'), [-Infinity, -1.5, -0, 0, 1e-300, Infinity, NaN]);
  assertAscending(t('float'), [-3.4e38, -0, 0, 1]);
  assert.equal(compareValues(t('double'), NaN, NaN), 0);
});

test('integers, bigints, booleans, dates', () => {
  assertAscending(t('int'), [-2147483648, -1, 0, 2147483647]);
  assertAscending(t('long'), [-(2n ** 63n), -1n, 0n, 2n ** 53n + 1n, 2n ** 63n - 1n]);
  assertAscending({ type: 'decimal', precision: 38, scale: 10 }, [-(10n ** 38n - 1n), 0n, 10n ** 38n - 1n]);
  assertAscending(t('boolean'), [false, true]);
  assertAscending(t('date'), [-719528, -1, 0, 2932896]);
  assertAscending(t('timestamptz'), [-1n, 0n, 1n]);
});

test('strings by code point (= UTF-8 bytes), not UTF-16 units', () => {
  // U+FFFD is one UTF-16 unit 0xFFFD; U+1F600 is the pair D83D DE00, which JS `<` puts first.
  assert.ok('\u{1F600}' < '\uFFFD');
  assertAscending(t('string'), ['', 'a', 'ab', 'b', 'é', '\uFFFD', '\u{1F600}', '\u{1F600}a']);
  const enc = new TextEncoder();
  const samples = ['z', '\uE000', '\u{10000}', '\u{10FFFF}', 'ñ', 'aa'];
  for (const a of samples) {
    for (const b of samples) {
      assert.equal(Math.sign(compareStrings(a, b)), Math.sign(compareBytes(enc.encode(a), enc.encode(b))));
    }
  }
});

test('binary and fixed: unsigned lexicographic, prefix first', () => {
  assertAscending(t('binary'), [new Uint8Array(0), Uint8Array.of(0), Uint8Array.of(0, 0), Uint8Array.of(0x7f), Uint8Array.of(0x80), Uint8Array.of(0xff)]);
  assertAscending({ type: 'fixed', length: 2 }, [Uint8Array.of(1, 0xff), Uint8Array.of(2, 0)]);
});

test('uuid: unsigned byte order, case-insensitive', () => {
  assertAscending(t('uuid'), ['00000000-0000-0000-0000-000000000000', '7fffffff-ffff-ffff-ffff-ffffffffffff', '80000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff']);
  assert.equal(compareValues(t('uuid'), 'ABCDEF00-0000-0000-0000-000000000000', 'abcdef00-0000-0000-0000-000000000000'), 0);
});

test('values of the wrong representation throw, naming the type', () => {
  assert.throws(() => compareValues(t('long'), 1, 2), /as long/);
  assert.throws(() => compareValues(t('string'), 'a', Uint8Array.of(1)), /as string/);
});
