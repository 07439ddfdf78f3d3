import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parquetMetadata } from 'hyparquet';
import { BadEventError } from '../../core/errors.ts';
import { MemoryFileIO } from '../../io/memory-file-io.ts';
import { fromSingleValue } from '../spec/single-value.ts';
import type { DataFile, IcebergValue, PrimitiveType, Row, Schema } from '../spec/types.ts';
import { createDataFileWriter, rowsToBatch } from './data-file-writer.ts';
import { FlatParquetFileWriter, isFlatSchema } from './flat-parquet-file-writer.ts';
import { parquetSchema } from './parquet-schema.ts';
import { readDataFile } from './parquet-reader.ts';
import { ALL_PRIMITIVES_ROWS, ALL_PRIMITIVES_SCHEMA, ALL_TYPES_SCHEMA } from './test-tables.ts';
import { typedBatch, type TypedColumn } from './typed-batch.ts';

type Encoder = 'auto' | 'hyparquet';

async function writeWith(encoder: Encoder, schema: Schema, rows: Row[], io = new MemoryFileIO()) {
  let n = 0;
  const w = createDataFileWriter({ io, schema, encoder, locationFor: () => `memory://t/${encoder}-${n++}.parquet` });
  await w.writeRows(rows);
  return { io, files: await w.complete() };
}

async function readAll(io: MemoryFileIO, path: string, schema: Schema): Promise<Row[]> {
  const out: Row[] = [];
  for await (const b of readDataFile(io, path, schema)) out.push(...b.rows);
  return out;
}

async function footer(io: MemoryFileIO, path: string) {
  const bytes = await io.read(path);
  return parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}

/** Writes `rows` with the flat writer directly, with a small page so columns span many pages. */
async function writeFlat(schema: Schema, rows: Row[], opts: { pageBytes: number; rowGroupRows: number; batch: number }) {
  const io = new MemoryFileIO();
  const path = 'memory://t/flat.parquet';
  const w = new FlatParquetFileWriter({
    path, out: await io.openOutput(path), fields: schema.fields, schema: parquetSchema(schema), codec: 'zstd', ...opts,
  });
  for (let i = 0; i < rows.length; i += opts.batch) await w.append(rowsToBatch(schema, rows.slice(i, i + opts.batch)));
  await w.finish();
  return { io, path, rowGroups: w.rowGroups };
}

const bound = (f: DataFile, id: number, t: PrimitiveType, which: 'lower' | 'upper') => {
  const b = (which === 'lower' ? f.lowerBounds : f.upperBounds)?.get(id);
  return b === undefined ? undefined : fromSingleValue(t, b);
};

test('the flat encoder is chosen only for schemas of primitive columns', () => {
  assert.equal(isFlatSchema(ALL_PRIMITIVES_SCHEMA.fields), true);
  assert.equal(isFlatSchema(ALL_TYPES_SCHEMA.fields), false);
});

test('every primitive type round-trips exactly; metrics and footer schema equal hyparquet-writer\'s', async () => {
  const flat = await writeWith('auto', ALL_PRIMITIVES_SCHEMA, ALL_PRIMITIVES_ROWS);
  const hyp = await writeWith('hyparquet', ALL_PRIMITIVES_SCHEMA, ALL_PRIMITIVES_ROWS);
  const [f, h] = [flat.files[0]!, hyp.files[0]!];
  assert.deepEqual(await readAll(flat.io, f.filePath, ALL_PRIMITIVES_SCHEMA), ALL_PRIMITIVES_ROWS);
  for (const k of ['recordCount', 'valueCounts', 'nullValueCounts', 'nanValueCounts', 'lowerBounds', 'upperBounds', 'splitOffsets'] as const) {
    assert.deepEqual(f[k], h[k], k);
  }
  assert.deepEqual([...f.columnSizes!.keys()], [...h.columnSizes!.keys()]);
  const [mf, mh] = [await footer(flat.io, f.filePath), await footer(hyp.io, h.filePath)];
  assert.deepEqual(mf.schema, mh.schema, 'same elements: names, field ids, physical, converted and logical types');
  assert.deepEqual(mf.key_value_metadata, mh.key_value_metadata);
  assert.equal(mf.num_rows, 4n);
  const stats = mf.row_groups[0]!.columns.map((c) => c.meta_data!.statistics!);
  assert.deepEqual(stats.map((s) => s.null_count), [0n, 2n, ...Array(15).fill(1n)]);
  assert.equal(stats[2]!.min_value, -(2 ** 31));
  assert.equal(stats[3]!.max_value, 2n ** 63n - 1n);
  assert.ok(Object.is(stats[5]!.min_value, -0) && stats[5]!.max_value === Number.MAX_VALUE, 'double: zero widened, NaN skipped');
});

test('many pages and row groups: null patterns, booleans across page ends, non-ASCII and long strings read back exactly', async () => {
  const schema: Schema = {
    schemaId: 0, identifierFieldIds: [], fields: [
      { id: 1, name: 'id', required: true, type: { type: 'long' } },
      { id: 2, name: 'flag', required: false, type: { type: 'boolean' } },
      { id: 3, name: 's', required: false, type: { type: 'string' } },
      { id: 4, name: 'n', required: false, type: { type: 'int' } },
      { id: 5, name: 'amt', required: false, type: { type: 'decimal', precision: 30, scale: 3 } },
    ],
  };
  const nullAt = (i: number): boolean => (i % 1000 < 17) || (i % 7 === 3 && i % 3 === 0) || (i >= 4000 && i < 4600); // runs of 17, scattered, a long run
  const rows: Row[] = Array.from({ length: 9000 }, (_, i) => ({
    id: BigInt(i),
    flag: nullAt(i) ? null : i % 3 === 0,
    s: nullAt(i + 1) ? null : i % 11 === 0 ? `ü\u{1F600}${'x'.repeat(i % 200)}` : `v${i}`,
    n: nullAt(i + 2) ? null : i - 4500,
    amt: nullAt(i) ? null : BigInt(i) * 10n ** 25n * (i % 2 ? -1n : 1n),
  }));
  const { io, path, rowGroups } = await writeFlat(schema, rows, { pageBytes: 1024, rowGroupRows: 4000, batch: 777 });
  assert.deepEqual(await readAll(io, path, schema), rows);
  const md = await footer(io, path);
  assert.equal(md.row_groups.length, 3);
  assert.deepEqual(md.row_groups.map((rg) => rg.num_rows), [4000n, 4000n, 1000n]);
  md.row_groups.forEach((rg, g) => {
    const slice = rows.slice(g * 4000, g * 4000 + 4000);
    const nulls = (name: string) => BigInt(slice.filter((r) => r[name] === null).length);
    assert.deepEqual(rg.columns.map((c) => c.meta_data!.statistics!.null_count), ['id', 'flag', 's', 'n', 'amt'].map(nulls));
    const ints = slice.map((r) => r.n).filter((v): v is number => v !== null);
    assert.equal(rg.columns[3]!.meta_data!.statistics!.min_value, Math.min(...ints));
    assert.equal(rowGroups[g]!.columns[3]!.meta_data!.statistics!.max_value, Math.max(...ints));
  });
});

test('string bounds follow code point order, not UTF-16 units; float zero bounds widen; all-NaN has no bounds', async () => {
  const schema: Schema = {
    schemaId: 0, identifierFieldIds: [], fields: [
      { id: 1, name: 's', required: false, type: { type: 'string' } },
      { id: 2, name: 'z', required: false, type: { type: 'float' } },
      { id: 3, name: 'nan', required: false, type: { type: 'double' } },
    ],
  };
  const rows: Row[] = [
    { s: '\u{E000}', z: 0, nan: NaN },
    { s: '\u{10000}', z: 0, nan: NaN },
    { s: 'a', z: null, nan: null },
  ];
  const { files } = await writeWith('auto', schema, rows);
  const f = files[0]!;
  assert.equal(bound(f, 1, { type: 'string' }, 'lower'), 'a');
  assert.equal(bound(f, 1, { type: 'string' }, 'upper'), '\u{10000}', 'U+10000 sorts above U+E000 by code point');
  assert.ok(Object.is(bound(f, 2, { type: 'float' }, 'lower'), -0) && Object.is(bound(f, 2, { type: 'float' }, 'upper'), 0));
  assert.equal(f.lowerBounds?.has(3), false);
  assert.equal(f.nanValueCounts?.get(3), 2);
  assert.equal(f.nullValueCounts?.get(3), 1);
});

test('a value of the wrong representation or range fails naming file, column, row and value', async () => {
  const cases: [PrimitiveType, IcebergValue, RegExp][] = [
    [{ type: 'int' }, 2 ** 31, /column c row 1 = 2147483648/],
    [{ type: 'int' }, 1.5, /column c row 1 = 1\.5/],
    [{ type: 'long' }, 2n ** 63n, /column c row 1 = 9223372036854775808n/],
    [{ type: 'long' }, 7, /column c row 1 = 7 \(number\)/],
    [{ type: 'decimal', precision: 9, scale: 0 }, 10n ** 9n, /column c row 1 = 1000000000n/],
    [{ type: 'decimal', precision: 20, scale: 0 }, -(10n ** 20n), /column c row 1 = -100000000000000000000n/],
    [{ type: 'uuid' }, 'not-a-uuid', /column c row 1 = "not-a-uuid"/],
    [{ type: 'string' }, 5, /column c row 1 = 5/],
    [{ type: 'fixed', length: 3 }, new Uint8Array(2), /column c row 1 = bytes\[2\]/],
    [{ type: 'boolean' }, 1, /column c row 1 = 1/],
  ];
  for (const [type, bad, re] of cases) {
    const schema: Schema = { schemaId: 0, identifierFieldIds: [], fields: [{ id: 1, name: 'c', required: false, type }] };
    await assert.rejects(writeWith('auto', schema, [{ c: null }, { c: bad }]), (e: unknown) => e instanceof BadEventError && /memory:\/\/t\//.test(e.message) && re.test(e.message), `${type.type} ${String(bad)}`);
  }
  const required: Schema = { schemaId: 0, identifierFieldIds: [], fields: [{ id: 1, name: 'k', required: true, type: { type: 'long' } }] };
  await assert.rejects(writeWith('auto', required, [{ k: 1n }, { k: null }]), /column k row 1 is null but the column is required/);
});

test('a file without rows is a valid Parquet file', async () => {
  const { io, path } = await writeFlat(ALL_PRIMITIVES_SCHEMA, [], { pageBytes: 1024, rowGroupRows: 10, batch: 10 });
  const md = await footer(io, path);
  assert.equal(md.num_rows, 0n);
  assert.equal(md.row_groups.length, 0);
  assert.equal(md.schema.length, ALL_PRIMITIVES_SCHEMA.fields.length + 1);
});

test('every codec (zstd, snappy, uncompressed) reads back exactly and is named in the footer', async () => {
  const rows: Row[] = [...ALL_PRIMITIVES_ROWS];
  for (let i = 0; i < 3000; i++) rows.push({ ...ALL_PRIMITIVES_ROWS[i % 3]!, id: BigInt(100 + i), s: `s${i % 50}`, l: BigInt(i) * 7919n });
  for (const codec of ['zstd', 'snappy', 'uncompressed'] as const) {
    const io = new MemoryFileIO();
    const w = createDataFileWriter({ io, schema: ALL_PRIMITIVES_SCHEMA, codec, rowGroupRows: 1000, locationFor: () => `memory://t/${codec}.parquet` });
    await w.writeRows(rows);
    const [f] = await w.complete();
    assert.deepEqual(await readAll(io, f!.filePath, ALL_PRIMITIVES_SCHEMA), rows, codec);
    const md = await footer(io, f!.filePath);
    const names = new Set(md.row_groups.flatMap((rg) => rg.columns.map((c) => c.meta_data!.codec)));
    assert.deepEqual([...names], [codec.toUpperCase()]);
  }
});

test('typed columns: a long column reads back; a decimal beyond its precision or a kind that does not fit fails like plain values', async () => {
  const words = (...vs: bigint[]): Int32Array => Int32Array.from(vs.flatMap((v) => [Number(BigInt.asIntN(32, v)), Number(v >> 32n)]));
  const int64 = (...vs: bigint[]): TypedColumn => ({ kind: 'int64', data: words(...vs), nulls: Uint8Array.of(0, 1, 0) });
  const schemaOf = (type: PrimitiveType): Schema => ({ schemaId: 0, identifierFieldIds: [], fields: [{ id: 1, name: 'c', required: false, type }] });
  const write = async (type: PrimitiveType, col: TypedColumn) => {
    const io = new MemoryFileIO();
    const w = createDataFileWriter({ io, schema: schemaOf(type), locationFor: () => 'memory://t/typed.parquet' });
    await w.write(typedBatch(3, [col], [undefined]));
    const [f] = await w.complete();
    return readAll(io, f!.filePath, schemaOf(type));
  };
  assert.deepEqual(await write({ type: 'long' }, int64(-(2n ** 63n), 0n, 2n ** 53n + 1n)), [{ c: -(2n ** 63n) }, { c: null }, { c: 2n ** 53n + 1n }]);
  assert.deepEqual(await write({ type: 'decimal', precision: 9, scale: 0 }, int64(-999_999_999n, 0n, 5n)), [{ c: -999_999_999n }, { c: null }, { c: 5n }]);
  await assert.rejects(write({ type: 'decimal', precision: 9, scale: 0 }, int64(5n, 0n, 10n ** 9n)), /column c row 2 = 1000000000n: expected an unscaled bigint of at most 9 digits/);
  const int32: TypedColumn = { kind: 'int32', data: Int32Array.of(1, 0, 2), nulls: Uint8Array.of(0, 0, 0) };
  await assert.rejects(write({ type: 'long' }, int32), /column c row 0 = 1 \(number\): expected a 64-bit bigint/);
});
