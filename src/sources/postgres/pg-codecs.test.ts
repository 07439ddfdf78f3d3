import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UnsupportedTypeError } from '../../core/errors.ts';
import type { IcebergValue } from '../../iceberg/spec/types.ts';
import { buildFieldDecoder, DATE_MAX_DAYS, DATE_MIN_DAYS, TIMESTAMP_MAX_MICROS, TIMESTAMP_MIN_MICROS, type CodecSpec, type DecodeContext } from './pg-codecs.ts';
import { f } from './copy-test-bytes.ts';

const base: DecodeContext = { table: 'public.t', column: 'c', infinity: 'clamp', numericSpecialValues: 'error' };

function decode(spec: CodecSpec | CodecSpec['codec'], bytes: Uint8Array, ctx: Partial<DecodeContext> = {}): IcebergValue {
  const s = typeof spec === 'string' ? { codec: spec } : spec;
  // place the value at an odd offset inside a larger buffer, as in a real stream
  const buf = Buffer.concat([Buffer.from([9, 9, 9]), bytes, Buffer.from([9])]);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return buildFieldDecoder(s, { ...base, ...ctx })(view, buf, 3, bytes.length);
}

test('integers, floats, booleans', () => {
  assert.equal(decode('int2', f.int2(-32768)), -32768);
  assert.equal(decode('int4', f.int4(2147483647)), 2147483647);
  for (const n of [0n, -1n, 4503599627370496n, -4503599627370497n, 9223372036854775807n, -9223372036854775808n]) {
    assert.equal(decode('int8', f.int8(n)), n);
  }
  assert.ok(Number.isNaN(decode('float8', f.float8(NaN))));
  assert.equal(decode('float8', f.float8(-Infinity)), -Infinity);
  assert.ok(Object.is(decode('float8', f.float8(-0)), -0));
  assert.equal(decode('float4', f.float4(Infinity)), Infinity);
  assert.equal(decode('float4', f.float4(1.5)), 1.5);
  assert.equal(decode('bool', f.bool(true)), true);
  assert.equal(decode('bool', f.bool(false)), false);
  assert.equal(decode('oid', f.int4(-1)), 4294967295n);
});

test('numeric: exact unscaled bigint at the target scale, or a clear error', () => {
  const n = (text: string, precision: number, scale: number) => decode({ codec: 'numeric', precision, scale }, f.numeric(text));
  assert.equal(n('123.45', 5, 2), 12345n);
  assert.equal(n('-0.01', 5, 2), -1n);
  assert.equal(n('0', 5, 2), 0n);
  assert.equal(n('10000', 10, 0), 10000n);
  assert.equal(n('12300', 7, 0), 12300n);
  assert.equal(n('0.00012', 5, 5), 12n);
  assert.equal(n('12345678901234567890123456789012345678', 38, 0), 12345678901234567890123456789012345678n);
  assert.equal(n('-9999999999999999999999999999.9999999999', 38, 10), -99999999999999999999999999999999999999n);
  assert.equal(n('1.5', 38, 10), 15000000000n);
  assert.equal(n('123456789012.5', 38, 10), 1234567890125000000000n);
  assert.throws(() => n('1.00001', 38, 4), /public\.t\.c: numeric value 1\.00001 does not fit decimal\(38,4\) without rounding/);
  assert.throws(() => n('100', 3, 1), UnsupportedTypeError);
  assert.throws(() => n('1234567890123456789012345678901', 38, 10), /does not fit decimal\(38,10\)/);
  assert.throws(() => n('NaN', 38, 10), /numeric value NaN has no decimal equivalent/);
  assert.equal(decode({ codec: 'numeric', precision: 38, scale: 10 }, f.numeric('-Infinity'), { numericSpecialValues: 'null' }), null);
});

test('numeric as text keeps PostgreSQL form and special values', () => {
  for (const t of ['0', '-12.3400', '0.00000001', '123456789012345678901234567890123456789012345.5', 'NaN', 'Infinity', '-Infinity', '10000.0']) {
    assert.equal(decode('numeric-text', f.numeric(t)), t);
  }
});

test('dates and timestamps shift epochs; ±infinity follows the rule', () => {
  assert.equal(decode('date', f.date(0)), 10957);
  assert.equal(decode('date', f.date(-10958)), -1); // 1969-12-31
  assert.equal(decode('date', f.date(-2451545 + 1)), -2440587); // 4713-11-25 BC (PostgreSQL's first date)
  assert.equal(decode('date', f.int4(0x7fffffff)), DATE_MAX_DAYS);
  assert.equal(decode('date', f.int4(-0x80000000)), DATE_MIN_DAYS);
  assert.equal(decode('date', f.int4(0x7fffffff), { infinity: 'null' }), null);
  assert.throws(() => decode('date', f.int4(-0x80000000), { infinity: 'error' }), /public\.t\.c: value -infinity has no Iceberg equivalent/);
  assert.equal(decode('timestamp', f.timestamp(0n)), 946684800000000n);
  assert.equal(decode('timestamptz', f.timestamp(-946684800000001n)), -1n);
  assert.equal(decode('timestamp', f.timestamp(8000000000000000000n)), 8000946684800000000n);
  assert.equal(decode('timestamp', f.timestamp(-211813488000000000n)), -210866803200000000n); // beyond 2^52 µs before 2000: the BigInt path
  assert.equal(decode('timestamptz', f.timestamp(9223372036854775807n)), TIMESTAMP_MAX_MICROS);
  assert.equal(decode('timestamp', f.timestamp(-9223372036854775808n)), TIMESTAMP_MIN_MICROS);
  assert.equal(decode('timestamp', f.timestamp(9223372036854775807n), { infinity: 'null' }), null);
  assert.throws(() => decode('timestamptz', f.timestamp(9223372036854775807n), { infinity: 'error' }), /value infinity/);
  assert.equal(decode('time', f.int8(86399999999n)), 86399999999n);
});

test('text-like, uuid, json, bytea', () => {
  assert.equal(decode('text', f.text('名前 "x"')), '名前 "x"');
  assert.equal(decode('char', f.bytes(0x41)), 'A');
  assert.equal(decode('jsonb', f.concat(f.bytes(1), f.text('{"a": 1}'))), '{"a": 1}');
  assert.throws(() => decode('jsonb', f.concat(f.bytes(2), f.text('{}'))), /jsonb binary version 2/);
  const uuid = f.bytes(0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11);
  assert.equal(decode('uuid', uuid), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
  const bytes = decode('bytea', f.bytes(0, 255, 7)) as Uint8Array;
  assert.deepEqual([...bytes], [0, 255, 7]);
  assert.equal(bytes.buffer.byteLength, 3, 'bytea values are copies, not views of the stream');
});

test('arrays become 1-D lists; nulls kept; multi-dimensional values are refused', () => {
  const arr = (elemOid: number, dims: number[], elems: (Uint8Array | null)[]) =>
    f.concat(
      f.i32(dims.length), f.i32(elems.includes(null) ? 1 : 0), f.i32(elemOid),
      ...dims.flatMap((d) => [f.i32(d), f.i32(1)]),
      ...elems.flatMap((e) => (e === null ? [f.i32(-1)] : [f.i32(e.length), e])),
    );
  const ints = { codec: 'array', element: { codec: 'int8' } } as const;
  assert.deepEqual(decode(ints, arr(20, [3], [f.int8(1n), null, f.int8(-3n)])), [1n, null, -3n]);
  assert.deepEqual(decode(ints, f.concat(f.i32(0), f.i32(0), f.i32(20))), []);
  const texts = { codec: 'array', element: { codec: 'text' } } as const;
  assert.deepEqual(decode(texts, arr(25, [2], [f.text('a,b'), f.text('')])), ['a,b', '']);
  assert.throws(() => decode(ints, arr(20, [2, 1], [f.int8(1n), f.int8(2n)])), /public\.t\.c: a 2-dimensional array value/);
  const nums = { codec: 'array', element: { codec: 'numeric', precision: 10, scale: 2 } } as const;
  assert.deepEqual(decode(nums, arr(1700, [1], [f.numeric('1.5')])), [150n]);
});

test('interval, inet, cidr, macaddr, money, bit, timetz as documented strings', () => {
  const interval = (us: bigint, days: number, months: number) => f.concat(f.int8(us), f.i32(days), f.i32(months));
  assert.equal(decode('interval', interval(0n, 0, 0)), 'PT0S');
  assert.equal(decode('interval', interval(14706789000n, 3, 14)), 'P1Y2M3DT4H5M6.789S');
  assert.equal(decode('interval', interval(-500000n, 0, -1)), 'P-1MT-0.5S');
  assert.equal(decode('interval', interval(3600000000n, -1, 0)), 'P-1DT1H');
  const inet = (family: number, bits: number, cidr: number, addr: number[]) => f.bytes(family, bits, cidr, addr.length, ...addr);
  assert.equal(decode('inet', inet(2, 32, 0, [192, 168, 0, 1])), '192.168.0.1');
  assert.equal(decode('inet', inet(2, 24, 0, [192, 168, 0, 1])), '192.168.0.1/24');
  assert.equal(decode('inet', inet(2, 8, 1, [10, 0, 0, 0])), '10.0.0.0/8');
  const v6 = (...words: number[]) => words.flatMap((w) => [w >> 8, w & 255]);
  assert.equal(decode('inet', inet(3, 128, 0, v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1))), '2001:db8::1');
  assert.equal(decode('inet', inet(3, 32, 1, v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0))), '2001:db8::/32');
  assert.equal(decode('inet', inet(3, 128, 0, v6(0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304))), '::ffff:1.2.3.4');
  assert.equal(decode('inet', inet(3, 128, 0, v6(1, 0, 2, 0, 0, 3, 0, 0))), '1:0:2::3:0:0');
  assert.equal(decode('macaddr', f.bytes(8, 0, 0x2b, 1, 2, 3)), '08:00:2b:01:02:03');
  assert.equal(decode('macaddr', f.bytes(8, 0, 0x2b, 1, 2, 3, 4, 5)), '08:00:2b:01:02:03:04:05');
  assert.equal(decode('money', f.int8(-123456n)), '-1234.56');
  assert.equal(decode('money', f.int8(5n)), '0.05');
  assert.equal(decode('bit', f.concat(f.i32(10), f.bytes(0b10110000, 0b01000000))), '1011000001');
  assert.equal(decode('timetz', f.concat(f.int8(45296500000n), f.i32(-7200))), '12:34:56.5+02');
  assert.equal(decode('timetz', f.concat(f.int8(0n), f.i32(19800))), '00:00:00-05:30');
});

test('"char" values read as PostgreSQL prints them: byte 0 empty, high bytes as octal escapes', async () => {
  const { charText } = await import('./pg-codecs.ts');
  assert.equal(charText(0), '');
  assert.equal(charText(65), 'A');
  assert.equal(charText(200), '\\310');
});
