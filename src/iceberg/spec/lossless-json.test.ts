/** Lossless JSON: exact 64-bit integers, standard JSON otherwise. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CorruptFileError } from '../../core/errors.ts';
import { parseJsonLossless, stringifyJsonLossless } from './lossless-json.ts';

describe('lossless json', () => {
  it('keeps integers beyond 2^53 as bigint and small ones as number', () => {
    const v = parseJsonLossless('{"a":9223372036854775807,"b":-9223372036854775808,"c":9007199254740991,"d":1.5e3}', 'f');
    assert.deepEqual(v, { a: 9223372036854775807n, b: -9223372036854775808n, c: 9007199254740991, d: 1500 });
  });

  it('agrees with JSON.parse on ordinary documents', () => {
    const text = '{"s":"a\\"b\\\\c\\u00e9\\n😀","arr":[true,false,null,0,-0.5,1e-7,[],{}],"nested":{"k":[{"x":1}]}}';
    assert.deepEqual(parseJsonLossless(text, 'f'), JSON.parse(text));
    assert.equal(stringifyJsonLossless(JSON.parse(text)), JSON.stringify(JSON.parse(text)));
  });

  it('writes bigint as digits and omits undefined members', () => {
    assert.equal(stringifyJsonLossless({ id: 8964312216982833686n, skip: undefined, l: [1n] }), '{"id":8964312216982833686,"l":[1]}');
  });

  it('rejects malformed input naming the file and offset', () => {
    for (const bad of ['', '{', '{"a":}', '[1,]', '{"a":1} x', '"unterminated', '01', 'tru']) {
      assert.throws(() => parseJsonLossless(bad, 'm.json'), (e: unknown) => e instanceof CorruptFileError && e.message.includes('m.json'), bad);
    }
  });
});
