/**
 * Key bytes are persisted in every key index: their encoding must never change. Golden vectors
 * (recorded from the first implementation) pin them for numbers, bigints, strings, nulls, dates
 * and a keyless row hash with a list.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IcebergValue, Schema } from '../../iceberg/spec/types.ts';
import { encodeKey, hashRow, idString, keyString, rowIdentity } from './key-encoding.ts';

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [1, 2, 3],
  fields: [
    { id: 1, name: 'a', required: true, type: { type: 'long' } },
    { id: 2, name: 'b', required: false, type: { type: 'string' } },
    { id: 3, name: 'c', required: false, type: { type: 'date' } },
    { id: 4, name: 'd', required: false, type: { type: 'list', elementId: 5, elementRequired: false, element: { type: 'int' } } },
  ],
};
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const value = (s: string | null): IcebergValue => (s === null ? null : /^-?\d+$/.test(s) ? (Number.isSafeInteger(Number(s)) ? Number(s) : BigInt(s)) : s);

/** [a, b, c] as text (integers outside 2^53 as bigint), key bytes, keyless row hash (d = [1, null, 3]). */
const VECTORS: [[string, string | null, string], string, string][] = [
  [["0","x","null"], '0108800000000000000001017800', '24f659ba8700011b1315f79ecfd646b7'],
  [["-1","","19000"], '01087fffffffffffffff010001088000000000004a38', '6b29652e9bdc704d387c6a26fd3a7d06'],
  [["1","é","-5"], '010880000000000000010102c3a901087ffffffffffffffb', '922e50c380f375abd61631d58583891c'],
  [["1099511627779","ab","2147483648"], '010880000100000000030102616201088000000080000000', '8f54f828a4ad5a67bba7218da4eef0c1'],
  [["-1099511627779",null,"-2147483648"], '01087ffffefffffffffd0001087fffffff80000000', 'a13388b0569cd0ccd39245ba6e894dfa'],
  [["9007199254740991","z","0"], '0108801fffffffffffff01017a01088000000000000000', '95e04dcb14c1be6317a5bb008c3163e5'],
  [["-9007199254740991","z","1"], '01087fe000000000000101017a01088000000000000001', '3957757f01d3905bb410471b1aea13af'],
  [["9223372036854775807","q","3"], '0108ffffffffffffffff01017101088000000000000003', '8f4e2a7575b2eb0efed06f6a1caf938b'],
  [["-9223372036854775808","q","-3"], '0108000000000000000001017101087ffffffffffffffd', 'f4c0976771f6cfad52168e85cc8f22e3'],
];

describe('key encoding', () => {
  it('keys and row hashes keep their recorded bytes', () => {
    const keyed = rowIdentity(schema);
    const keyless = rowIdentity({ ...schema, identifierFieldIds: [] });
    for (const [[a, b, c], key, hash] of VECTORS) {
      const row = { a: value(a), b, c: c === 'null' ? null : value(c) };
      assert.equal(hex(encodeKey(keyed, row, 't')), key, `key of ${a} ${b} ${c}`);
      assert.equal(hex(hashRow(keyless, { ...row, d: [1, null, 3] }, 't')), hash, `hash of ${a} ${b} ${c}`);
    }
  });

  it('a number and a bigint of the same value give the same bytes; beyond 64 bits is refused', () => {
    const keyed = rowIdentity(schema);
    for (const n of [0, -1, 2 ** 52 + 1, -(2 ** 53) + 1]) {
      assert.equal(hex(encodeKey(keyed, { a: n, b: 'x', c: n }, 't')), hex(encodeKey(keyed, { a: BigInt(n), b: 'x', c: BigInt(n) }, 't')));
    }
    assert.throws(() => encodeKey(keyed, { a: 2n ** 63n, b: null, c: null }, 't'), /does not fit in 64 bits/);
    assert.throws(() => encodeKey(keyed, { a: 1.5, b: null, c: null }, 't'), /expected an integer/);
  });

  it('integers given as bigint keep the recorded bytes (Debezium longs are bigints), at and past 2^53', () => {
    const keyed = rowIdentity(schema);
    const big = (s: string | null): IcebergValue => (s !== null && /^-?\d+$/.test(s) ? BigInt(s) : s);
    for (const [[a, b, c], key] of VECTORS) assert.equal(hex(encodeKey(keyed, { a: big(a), b, c: c === 'null' ? null : big(c) }, 't')), key, `key of ${a}n ${b} ${c}n`);
    for (const n of [2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) + 1n, -(2n ** 53n), -(2n ** 53n) - 1n]) {
      const expected = Buffer.alloc(8);
      expected.writeBigUInt64BE(BigInt.asUintN(64, n) ^ (1n << 63n));
      assert.equal(hex(encodeKey(keyed, { a: n, b: null, c: null }, 't')).slice(4, 20), expected.toString('hex'), `${n}`);
    }
  });

  it('keyString is the idString of the key bytes for every key length from 13 to 42 bytes', () => {
    const keyed = rowIdentity(schema);
    for (let n = 0; n <= 29; n += 1) {
      const row = { a: n, b: 'x'.repeat(n), c: null };
      assert.equal(keyString(keyed, row, 't'), idString(encodeKey(keyed, row, 't')), `string of ${n}`);
    }
  });

  it('keyString of a one-long key (10 bytes) is the idString of its bytes, bytes 0x80-0xff included', () => {
    const one = rowIdentity({ schemaId: 0, identifierFieldIds: [1], fields: [{ id: 1, name: 'id', required: true, type: { type: 'long' } }] });
    for (const id of [0, 1, -1, 255, 2 ** 31, -(2 ** 31), 2 ** 53 - 1, 2n ** 63n - 1n, -(2n ** 63n), 0xfedcba9876n]) {
      const s = keyString(one, { id }, 't');
      assert.equal(s.length, 10);
      assert.equal(s, idString(encodeKey(one, { id }, 't')), `${id}`);
    }
  });

  it('errors name the table and the column they are about, for key and whole-row encodings of two tables in turn', () => {
    const keyed = rowIdentity(schema);
    const whole = rowIdentity({ ...schema, identifierFieldIds: [] });
    for (const table of ['t1', 't2', 't1']) {
      assert.throws(() => keyString(keyed, { a: 1, b: 5, c: null }, table), new RegExp(`table ${table} key column 'b': expected a string`));
      assert.throws(() => hashRow(whole, { a: 1, b: 'x', c: 'not a date' }, table), new RegExp(`table ${table} column 'c': expected an integer`));
    }
  });

  it('keyString is the idString of the key bytes, for short and long keys, one after another', () => {
    const keyed = rowIdentity(schema);
    const rows = [
      ...VECTORS.map(([[a, b, c]]) => ({ a: value(a), b, c: c === 'null' ? null : value(c) })),
      { a: 7, b: 'a key longer than thirty-two bytes, with ünïcödé and 🙂', c: 1 },
      { a: 8, b: '', c: null },
    ];
    for (const row of rows) assert.equal(keyString(keyed, row, 't'), idString(encodeKey(keyed, row, 't')), JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v)));
    assert.throws(() => keyString(keyed, { a: 1, b: 'x' }, 't'), /key column 'c' missing/);
  });
});
