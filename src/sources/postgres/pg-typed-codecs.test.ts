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
  assert.ok(isTypedBatch(typed) && typed.typed[1] === undefined && typed.plain[1]?.length === 5000);
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
