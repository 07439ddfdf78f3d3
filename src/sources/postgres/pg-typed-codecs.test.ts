import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UnsupportedTypeError } from '../../core/errors.ts';
import { createDataFileWriter } from '../../iceberg/parquet/data-file-writer.ts';
import { isTypedBatch } from '../../iceberg/parquet/typed-batch.ts';
import type { ColumnBatch, NestedField, PrimitiveType, Schema } from '../../iceberg/spec/types.ts';
import { MemoryFileIO } from '../../io/memory-file-io.ts';
import { BinaryCopyDecoder } from './binary-copy-decoder.ts';
import { copyStream, f } from './copy-test-bytes.ts';
import { buildFieldDecoder, type CodecSpec, type DecodeContext } from './pg-codecs.ts';
import { typedCodecFor } from './pg-typed-codecs.ts';

const PG_INF = 0x7fffffffffffffffn;
const PG_NINF = -0x8000000000000000n;

/** Every typed codec with its Iceberg type and edge values (PostgreSQL wire bytes; null = SQL NULL). */
const COLUMNS: { spec: CodecSpec; type: PrimitiveType; values: (Uint8Array | null)[] }[] = [
  { spec: { codec: 'bool' }, type: { type: 'boolean' }, values: [f.bool(true), f.bool(false), null, f.bool(true), f.bool(false)] },
  { spec: { codec: 'int2' }, type: { type: 'int' }, values: [f.int2(-32768), f.int2(32767), null, f.int2(0), f.int2(-1)] },
  { spec: { codec: 'int4' }, type: { type: 'int' }, values: [f.int4(-2147483648), f.int4(2147483647), null, f.int4(0), f.int4(-1)] },
  { spec: { codec: 'int8' }, type: { type: 'long' }, values: [f.int8(-(2n ** 63n)), f.int8(2n ** 63n - 1n), null, f.int8(2n ** 53n + 1n), f.int8(-1n)] },
  { spec: { codec: 'oid' }, type: { type: 'long' }, values: [f.int4(0), f.i32(-1), null, f.int4(2147483647), f.int4(1)] },
  { spec: { codec: 'float4' }, type: { type: 'float' }, values: [f.float4(-0), f.float4(NaN), null, f.float4(Infinity), f.float4(3.4028234663852886e38)] },
  { spec: { codec: 'float8' }, type: { type: 'double' }, values: [f.float8(-0), f.float8(NaN), null, f.float8(-Infinity), f.float8(Number.MIN_VALUE)] },
  { spec: { codec: 'date' }, type: { type: 'date' }, values: [f.date(2147483647), f.date(-2147483648), null, f.date(-2451545), f.date(0)] },
  { spec: { codec: 'time' }, type: { type: 'time' }, values: [f.timestamp(0n), f.timestamp(86_400_000_000n), null, f.timestamp(1n), f.timestamp(43_200_000_001n)] },
  { spec: { codec: 'timestamp' }, type: { type: 'timestamp' }, values: [f.timestamp(PG_INF), f.timestamp(PG_NINF), null, f.timestamp(-211_813_488_000_000_000n), f.timestamp(9_214_646_400_000_000_000n)] },
  { spec: { codec: 'timestamptz' }, type: { type: 'timestamptz' }, values: [f.timestamp(-1n), f.timestamp(4_503_599_627_370_496n), null, f.timestamp(-946_684_800_000_001n), f.timestamp(PG_INF)] },
];
const rows = COLUMNS[0]!.values.map((_, r) => COLUMNS.map((c) => c.values[r]!));
const bytes = copyStream(rows);

function decode(ctx: DecodeContext, typed: boolean, input: Uint8Array = bytes, cut?: number): ColumnBatch {
  const d = new BinaryCopyDecoder(
    COLUMNS.map((c) => buildFieldDecoder(c.spec, ctx)),
    'public.t',
    typed ? COLUMNS.map((c) => typedCodecFor(c.spec, ctx)) : [],
  );
  if (cut === undefined) d.push(input);
  else {
    d.push(input.subarray(0, cut));
    d.push(input.subarray(cut));
  }
  d.end();
  return d.takeBatch();
}

const ctxOf = (infinity: DecodeContext['infinity']): DecodeContext => ({ table: 'public.t', column: 'c', infinity, numericSpecialValues: 'error' });

test('typed columns materialize to exactly the plain decoders\' values (edge values, nulls, ±infinity clamp and null)', () => {
  for (const infinity of ['clamp', 'null'] as const) {
    const typed = decode(ctxOf(infinity), true);
    assert.ok(isTypedBatch(typed));
    assert.ok(typed.typed.every((t) => t !== undefined), 'every column here is typed');
    assert.deepEqual(typed.columns, decode(ctxOf(infinity), false).columns, infinity);
  }
});

test('a tuple split anywhere across chunks decodes the same (undo of a partial row)', () => {
  const expected = decode(ctxOf('clamp'), false).columns;
  for (let cut = 0; cut <= bytes.length; cut += 3) assert.deepEqual(decode(ctxOf('clamp'), true, bytes, cut).columns, expected, `cut at ${cut}`);
});

test('±infinity under load.infinity error fails as the plain codec does, naming the column', () => {
  const plain = (() => { try { decode(ctxOf('error'), false); } catch (e) { return e; } })() as Error;
  assert.throws(() => decode(ctxOf('error'), true), (e: unknown) => e instanceof UnsupportedTypeError && e.message === plain.message);
});

test('columns grow past their first capacity and mix with plain columns; typed and plain batches encode to identical Parquet bytes', async () => {
  const ctx = ctxOf('clamp');
  const many = Array.from({ length: 5000 }, (_, i) => [
    i % 7 === 0 ? null : f.int8(BigInt(i) * 1_000_000_007n - 2n ** 40n),
    f.text(`row ${i}`),
    i % 5 === 0 ? null : f.float8(i / 7),
    f.timestamp(BigInt(i) * 3_600_000_000n - 10n ** 15n),
    i % 3 === 0 ? null : f.bool(i % 2 === 0),
  ]);
  const specs: CodecSpec[] = [{ codec: 'int8' }, { codec: 'text' }, { codec: 'float8' }, { codec: 'timestamptz' }, { codec: 'bool' }];
  const stream = copyStream(many);
  const run = (typed: boolean) => {
    const d = new BinaryCopyDecoder(specs.map((s) => buildFieldDecoder(s, ctx)), 'public.t', typed ? specs.map((s) => typedCodecFor(s, ctx)) : []);
    for (let i = 0; i < stream.length; i += 1000) d.push(stream.subarray(i, i + 1000));
    d.end();
    return d.takeBatch();
  };
  const [typed, plain] = [run(true), run(false)];
  assert.equal(typed.numRows, 5000);
  assert.ok(isTypedBatch(typed) && typed.typed[1]?.kind === 'utf8' && typed.plain[1] === undefined, 'text as utf8 bytes');
  const types: PrimitiveType[] = [{ type: 'long' }, { type: 'string' }, { type: 'double' }, { type: 'timestamptz' }, { type: 'boolean' }];
  const fields: NestedField[] = types.map((type, i) => ({ id: i + 1, name: `c${i}`, required: false, type }));
  const schema: Schema = { schemaId: 0, identifierFieldIds: [], fields };
  const write = async (batch: ColumnBatch) => {
    const io = new MemoryFileIO();
    const w = createDataFileWriter({ io, schema, locationFor: () => 'memory://t/f.parquet', rowGroupRows: 2000 });
    await w.write(batch);
    const [file] = await w.complete();
    return { file: file!, bytes: await io.read(file!.filePath) };
  };
  const [a, b] = [await write(typed), await write(plain)];
  assert.deepEqual(a.bytes, b.bytes);
  assert.deepEqual(a.file.lowerBounds, b.file.lowerBounds);
  assert.deepEqual(typed.columns, plain.columns, 'materialized only now, after encoding');
});

test('numeric up to 18 digits: typed (number fast path, plain codec otherwise) equals plain, errors and special values included; files identical', async () => {
  const specs: CodecSpec[] = [{ codec: 'numeric', precision: 9, scale: 2 }, { codec: 'numeric', precision: 18, scale: 4 }, { codec: 'numeric', precision: 4, scale: 0 }];
  const values = [
    ['0', '0', '0'], ['-0.01', '-99999999999999.9999', '-9999'], ['9999999.99', '99999999999999.9999', '9999'], ['123.4', '1e3', '10000e-4'],
    [null, '0.0001', '-1'], ['-1234567.8', '900719925474.0993', '1'], ['42', '-900719925474.0992', '2'],
  ].map((r) => r.map((v) => (v === null ? null : f.numeric(v.includes('e') ? String(Number(v)) : v))));
  const run = (typed: boolean, ctx: DecodeContext, rowsIn: (Uint8Array | null)[][]) => {
    const d = new BinaryCopyDecoder(specs.map((s) => buildFieldDecoder(s, ctx)), 'public.t', typed ? specs.map((s) => typedCodecFor(s, ctx)) : []);
    d.push(copyStream(rowsIn));
    d.end();
    return d.takeBatch();
  };
  const ctx = ctxOf('clamp');
  const typed = run(true, ctx, values);
  assert.ok(isTypedBatch(typed) && typed.typed.every((t) => t?.kind === 'int64'));
  assert.deepEqual(typed.columns, run(false, ctx, values).columns);
  assert.deepEqual(typed.columns[1]!.slice(0, 3), [0n, -999999999999999999n, 999999999999999999n], 'beyond 2^53: plain path');
  for (const bad of [['1.234', '0', '0'], ['12345678.9', '0', '0'], ['0', '0', '0.5'], ['NaN', '0', '0']]) {
    const rowsIn = [bad.map((v) => f.numeric(v))];
    const plainError = (() => { try { run(false, ctx, rowsIn); } catch (e) { return (e as Error).message; } return 'no error'; })();
    assert.throws(() => run(true, ctx, rowsIn), (e: unknown) => (e as Error).message === plainError && plainError !== 'no error', bad.join());
  }
  const nullCtx: DecodeContext = { ...ctx, numericSpecialValues: 'null' };
  const special = [['NaN', 'Infinity', '-Infinity'].map((v) => f.numeric(v))];
  assert.deepEqual(run(true, nullCtx, special).columns, [[null], [null], [null]]);
  const types: PrimitiveType[] = specs.map((s) => ({ type: 'decimal', precision: s.precision!, scale: s.scale! }));
  const schema: Schema = { schemaId: 0, identifierFieldIds: [], fields: types.map((type, i) => ({ id: i + 1, name: `d${i}`, required: false, type })) };
  const write = async (batch: ColumnBatch) => {
    const io = new MemoryFileIO();
    const w = createDataFileWriter({ io, schema, locationFor: () => 'memory://t/d.parquet' });
    await w.write(batch);
    const [file] = await w.complete();
    return { file: file!, bytes: await io.read(file!.filePath) };
  };
  const [a, b] = [await write(typed), await write(run(false, ctx, values))];
  assert.deepEqual(a.bytes, b.bytes, 'INT32 (p <= 9) and INT64 pages and statistics identical');
  assert.deepEqual([a.file.lowerBounds, a.file.upperBounds], [b.file.lowerBounds, b.file.upperBounds]);
});

test('every split point and one byte at a time: typed decoding (numeric, text, infinity as null) equals plain', () => {
  for (const infinity of ['clamp', 'null'] as const) {
    const ctx = ctxOf(infinity);
    const specs: CodecSpec[] = [...COLUMNS.map((c) => c.spec), { codec: 'numeric', precision: 10, scale: 2 }, { codec: 'text' }];
    const extra = [f.numeric('-12345678.9'), f.numeric('0.5'), null, f.numeric('99999999.99'), f.numeric('1')];
    const texts = [f.text('a'), null, f.text(''), f.text('ü'), f.text('zz')];
    const all = rows.map((r, i) => [...r, extra[i]!, texts[i]!]);
    const input = copyStream(all);
    const run = (typed: boolean, pieces: Uint8Array[]) => {
      const d = new BinaryCopyDecoder(specs.map((s) => buildFieldDecoder(s, ctx)), 'public.t', typed ? specs.map((s) => typedCodecFor(s, ctx)) : []);
      for (const p of pieces) d.push(p);
      d.end();
      return d.takeBatch().columns;
    };
    const expected = run(false, [input]);
    for (let cut = 0; cut <= input.length; cut++) assert.deepEqual(run(true, [input.subarray(0, cut), input.subarray(cut)]), expected, `${infinity} cut ${cut}`);
    assert.deepEqual(run(true, [...input].map((b) => Uint8Array.of(b))), expected, `${infinity} byte by byte`);
  }
});

test('batches taken mid-stream (fresh, resized slabs each time) hold the same values as one batch', () => {
  const ctx = ctxOf('clamp');
  const specs: CodecSpec[] = [{ codec: 'int8' }, { codec: 'float8' }, { codec: 'bool' }, { codec: 'text' }];
  const many = Array.from({ length: 7000 }, (_, i) => [
    i % 11 === 0 ? null : f.int8(BigInt(i) * 3n - 5000n), f.float8(i / 3), i % 4 === 0 ? null : f.bool(i % 3 === 0), f.text(`r${i}`),
  ]);
  const bytes = copyStream(many);
  const decoder = () => new BinaryCopyDecoder(specs.map((s) => buildFieldDecoder(s, ctx)), 't', specs.map((s) => typedCodecFor(s, ctx)));
  const whole = decoder();
  whole.push(bytes);
  const expected = whole.takeBatch().columns;
  const parts = decoder();
  const got: ColumnBatch[] = [];
  for (let at = 0, n = 0; at < bytes.length; at += 997, n++) {
    parts.push(bytes.subarray(at, at + 997));
    if (parts.bufferedRows >= [50, 3000, 1, 800][n % 4]!) got.push(parts.takeBatch()); // shrinking and growing batches
  }
  parts.end();
  got.push(parts.takeBatch());
  assert.ok(got.length > 5);
  const joined = expected.map((_, c) => got.flatMap((b) => [...b.columns[c]!]));
  assert.deepEqual(joined, expected);
});

test('text as utf8 bytes: code-point bounds over non-ASCII, long values and empty strings give the same file as strings; invalid UTF-8 falls back to strings', async () => {
  const ctx = ctxOf('clamp');
  const words = ['', 'zebra', 'Zürich', '😀 emoji', '\uffff max BMP', 'a'.repeat(100) + 'é', '名前', null, 'abc', 'ab'];
  const rows = Array.from({ length: 3000 }, (_, i) => [f.int4(i), words[i % words.length] === null ? null : f.text(`${words[i % words.length]}${i % 3 === 0 ? '' : i}`)]);
  const specs: CodecSpec[] = [{ codec: 'int4' }, { codec: 'text' }];
  const decode = (bytes: Uint8Array, typed: boolean) => {
    const d = new BinaryCopyDecoder(specs.map((s) => buildFieldDecoder(s, ctx)), 't', typed ? specs.map((s) => typedCodecFor(s, ctx)) : []);
    for (let i = 0; i < bytes.length; i += 4093) d.push(bytes.subarray(i, i + 4093));
    d.end();
    return d.takeBatch();
  };
  const schema: Schema = { schemaId: 0, identifierFieldIds: [], fields: [{ id: 1, name: 'i', required: true, type: { type: 'int' } }, { id: 2, name: 's', required: false, type: { type: 'string' } }] };
  const write = async (batch: ColumnBatch) => {
    const io = new MemoryFileIO();
    const w = createDataFileWriter({ io, schema, locationFor: () => 'memory://t/f.parquet', rowGroupRows: 1000 });
    await w.write(batch);
    const [file] = await w.complete();
    return { file: file!, bytes: await io.read(file!.filePath) };
  };
  const good = copyStream(rows);
  const [typed, plain] = [decode(good, true), decode(good, false)];
  assert.ok(isTypedBatch(typed) && typed.typed[1]?.kind === 'utf8');
  const [a, b] = [await write(typed), await write(plain)];
  assert.deepEqual(a.bytes, b.bytes);
  assert.deepEqual(a.file.upperBounds, b.file.upperBounds);
  assert.deepEqual(typed.columns, plain.columns);
  const bad = copyStream([[f.int4(1), Uint8Array.of(0x61, 0xff, 0x62)], [f.int4(2), f.text('ok')]]); // SQL_ASCII databases send any bytes
  const fallback = decode(bad, true);
  assert.ok(isTypedBatch(fallback) && fallback.typed[1] === undefined, 'invalid UTF-8: plain strings');
  assert.deepEqual(fallback.columns[1], ['a\ufffdb', 'ok']);
});
