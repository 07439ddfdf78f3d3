import assert from 'node:assert/strict';
import { it } from 'node:test';
import { canonicalEncoder, decimalText, doubleText } from './canonical-js.ts';
import { UnsupportedTypeError } from '../../core/errors.ts';

it('decimals print exactly S fraction digits, sign before leading zeros', () => {
  assert.deepEqual([decimalText(-5n, 2), decimalText(12345n, 2), decimalText(0n, 3), decimalText(12300n, 0), decimalText(-12n, 0)], ['-0.05', '123.45', '0.000', '12300', '-12']);
  assert.equal(decimalText(-(10n ** 38n - 1n), 10), '-9999999999999999999999999999.9999999999');
});

it('doubles are their bits, so -0, ±Infinity and NaN are exact', () => {
  assert.equal(doubleText(-0), '8000000000000000');
  assert.equal(doubleText(0), '0000000000000000');
  assert.equal(doubleText(Infinity), '7ff0000000000000');
  assert.equal(doubleText(-Infinity), 'fff0000000000000');
  assert.equal(doubleText(NaN), 'NaN');
  assert.equal(doubleText(1.5), '3ff8000000000000');
});

it('encodes every primitive and lists by the Iceberg type', () => {
  const enc = (type: Parameters<typeof canonicalEncoder>[0], v: Parameters<ReturnType<typeof canonicalEncoder>>[0]) => canonicalEncoder(type, 't.c')(v);
  assert.equal(enc({ type: 'boolean' }, false), 'f');
  assert.equal(enc({ type: 'long' }, -9223372036854775808n), '-9223372036854775808');
  assert.equal(enc({ type: 'date' }, -1), '-1');
  assert.equal(enc({ type: 'timestamptz' }, -1n), '-1');
  assert.equal(enc({ type: 'binary' }, Uint8Array.of(0, 255, 16)), '00ff10');
  assert.equal(enc({ type: 'decimal', precision: 5, scale: 2 }, 12345n), '123.45');
  assert.equal(enc({ type: 'string' }, null), null);
  const list = { type: 'list', elementId: 2, elementRequired: false, element: { type: 'string' } } as const;
  assert.equal(enc(list, ['a,b', '', null, 'q"\n']), '["a,b","",null,"q\\"\\n"]');
  assert.equal(enc(list, []), '[]');
});

it('rejects a value of the wrong shape, naming the column', () => {
  assert.throws(() => canonicalEncoder({ type: 'int' }, 's.t.c')('12'), (e: Error) => e instanceof UnsupportedTypeError && /s\.t\.c/.test(e.message));
  assert.throws(() => canonicalEncoder({ type: 'struct', fields: [] }, 's.t.c'), UnsupportedTypeError);
});
