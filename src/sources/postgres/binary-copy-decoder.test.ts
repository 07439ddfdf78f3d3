import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CorruptFileError, UnsupportedTypeError } from '../../core/errors.ts';
import { BinaryCopyDecoder, decodeCopyStream } from './binary-copy-decoder.ts';
import { buildFieldDecoder, type CodecSpec } from './pg-codecs.ts';
import { copyStream, f } from './copy-test-bytes.ts';

const ctx = { table: 'public.t', column: 'c', infinity: 'clamp', numericSpecialValues: 'error' } as const;
const dec = (...specs: CodecSpec[]) => specs.map((s) => buildFieldDecoder(s, ctx));

const rows = [
  [f.int4(1), f.text('héllo'), f.int8(-9007199254740993n), null],
  [f.int4(-2147483648), null, f.int8(9223372036854775807n), f.numeric('-123.45')],
  [null, f.text(''), f.int8(0n), f.numeric('99999999999999999999999999999999.999999')],
];
const specs: CodecSpec[] = [{ codec: 'int4' }, { codec: 'text' }, { codec: 'int8' }, { codec: 'numeric', precision: 38, scale: 6 }];
const expected = [
  [1, -2147483648, null],
  ['héllo', null, ''],
  [-9007199254740993n, 9223372036854775807n, 0n],
  [null, -123450000n, 99999999999999999999999999999999999999n],
];

test('decodes a whole stream into columns', () => {
  const d = new BinaryCopyDecoder(dec(...specs), 'public.t');
  d.push(copyStream(rows));
  assert.ok(d.done);
  d.end();
  const batch = d.takeBatch();
  assert.equal(batch.numRows, 3);
  assert.deepEqual(batch.columns, expected);
  assert.equal(d.takeBatch().numRows, 0);
});

test('chunks split at every possible byte give the same result', () => {
  const bytes = copyStream(rows);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const d = new BinaryCopyDecoder(dec(...specs), 'public.t');
    d.push(bytes.subarray(0, cut));
    d.push(bytes.subarray(cut));
    d.end();
    assert.deepEqual(d.takeBatch().columns, expected, `cut at ${cut}`);
  }
  const d = new BinaryCopyDecoder(dec(...specs), 'public.t');
  for (const byte of bytes) d.push(Uint8Array.of(byte));
  d.end();
  assert.deepEqual(d.takeBatch().columns, expected, 'one byte at a time');
});

test('header extension is skipped; empty stream has no rows', () => {
  const d = new BinaryCopyDecoder(dec({ codec: 'int2' }), 't');
  d.push(copyStream([[f.int2(-7)]], Uint8Array.of(1, 2, 3)));
  d.end();
  assert.deepEqual(d.takeBatch().columns, [[-7]]);
  const e = new BinaryCopyDecoder(dec({ codec: 'int2' }), 't');
  e.push(copyStream([]));
  e.end();
  assert.equal(e.takeBatch().numRows, 0);
});

test('corrupt streams fail with CorruptFileError naming the stream and row', () => {
  const bad = (bytes: Uint8Array, re: RegExp, n = 1) => {
    const d = new BinaryCopyDecoder(dec(...specs.slice(0, n)), 'public.t chunk 3');
    assert.throws(() => {
      d.push(bytes);
      d.end();
    }, (err: Error) => err instanceof CorruptFileError && re.test(err.message));
  };
  const good = copyStream([[f.int4(1)]]);
  bad(Uint8Array.from([...good].map((b, i) => (i === 0 ? 0x51 : b))), /public\.t chunk 3: bad signature/);
  bad(good.subarray(0, good.length - 1), /ended without trailer \(1 byte/);
  bad(copyStream([[f.int4(1)]]), /tuple has 1 field\(s\), expected 2 after 0 row/, 2);
  bad(Uint8Array.from([...good, 0]), /1 byte\(s\) after the trailer/);
  const negative = Buffer.from(copyStream([[f.int4(1), f.int4(2)]]));
  negative.writeInt32BE(-2, 19 + 2 + 8); // the second field's length
  bad(negative, /field length -2 after 0 row/, 2);
});

test('a value error names table, column, value and row', () => {
  const d = new BinaryCopyDecoder(dec({ codec: 'int4' }, { codec: 'numeric', precision: 38, scale: 2 }), 'public.t');
  assert.throws(
    () => d.push(copyStream([[f.int4(1), f.numeric('1.5')], [f.int4(2), f.numeric('1.005')]])),
    (err: Error) =>
      err instanceof UnsupportedTypeError &&
      err.message === "public.t.c: numeric value 1.005 does not fit decimal(38,2) without rounding (set load.unconstrainedNumeric to 'string' or a wider decimal) (row 2 of public.t)",
  );
  assert.deepEqual(d.takeBatch().columns, [[1], [150n]], 'rows before the bad one are kept, the partial one is dropped');
});

test('decodeCopyStream yields batches of at least batchRows', async () => {
  const many = Array.from({ length: 10 }, (_, i) => [f.int4(i)]);
  const bytes = copyStream(many);
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
  }
  const sizes: number[] = [];
  const values: unknown[] = [];
  for await (const b of decodeCopyStream(chunks(), dec({ codec: 'int4' }), 't', 3)) {
    sizes.push(b.numRows);
    values.push(...b.columns[0]!);
  }
  assert.deepEqual(values, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.ok(sizes.slice(0, -1).every((s) => s >= 3));
  async function* cut() {
    yield bytes.subarray(0, 30);
  }
  await assert.rejects(async () => {
    for await (const _ of decodeCopyStream(cut(), dec({ codec: 'int4' }), 't')) void _;
  }, CorruptFileError);
});

test('a tuple far larger than the join window completes across chunks of any size', () => {
  const big = 'x'.repeat(300_000) + 'é';
  const bytes = copyStream([[f.int4(1), f.text('a')], [f.int4(2), f.text(big)], [f.int4(3), f.text('c')]]);
  for (const size of [7, 1000, 5000, 70_000, 250_000]) {
    const d = new BinaryCopyDecoder(dec({ codec: 'int4' }, { codec: 'text' }), 't');
    for (let at = 0; at < bytes.length; at += size) d.push(Buffer.from(bytes.subarray(at, at + size)));
    d.end();
    assert.deepEqual(d.takeBatch().columns, [[1, 2, 3], ['a', big, 'c']], `chunk size ${size}`);
  }
});
