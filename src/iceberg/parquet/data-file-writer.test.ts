import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parquetMetadata } from 'hyparquet';
import { MemoryFileIO } from '../../io/memory-file-io.ts';
import { BadEventError } from '../../core/errors.ts';
import { fromSingleValue } from '../spec/single-value.ts';
import type { DataFile, PrimitiveType, Row, Schema } from '../spec/types.ts';
import { createDataFileWriter } from './data-file-writer.ts';
import { readDataFile } from './parquet-reader.ts';
import { ALL_TYPES_ROWS, ALL_TYPES_SCHEMA } from './test-tables.ts';

async function writeAll(schema: Schema, rows: Row[], extra: Partial<Parameters<typeof createDataFileWriter>[0]> = {}) {
  const io = new MemoryFileIO();
  let n = 0;
  const w = createDataFileWriter({ io, schema, locationFor: () => `memory://t/data/${n++}.parquet`, ...extra });
  await w.writeRows(rows);
  return { io, files: await w.complete() };
}

async function readAll(io: MemoryFileIO, path: string, schema: Schema): Promise<Row[]> {
  const out: Row[] = [];
  for await (const b of readDataFile(io, path, schema)) out.push(...b.rows);
  return out;
}

const bound = (f: DataFile, id: number, t: PrimitiveType, which: 'lower' | 'upper') => {
  const b = (which === 'lower' ? f.lowerBounds : f.upperBounds)?.get(id);
  return b === undefined ? undefined : fromSingleValue(t, b);
};

test('every type round-trips exactly, edge values included (NaN, -0, ±Infinity, min/max, decimal(38) extremes, year 1 and 9999)', async () => {
  const { io, files } = await writeAll(ALL_TYPES_SCHEMA, ALL_TYPES_ROWS);
  assert.equal(files.length, 1);
  const rows = await readAll(io, files[0]!.filePath, ALL_TYPES_SCHEMA);
  assert.deepEqual(rows, ALL_TYPES_ROWS);
  assert.ok(Object.is(rows[0]!.d, -0), 'double -0 keeps its sign');
  assert.ok(Number.isNaN(rows[2]!.f) && Number.isNaN(rows[2]!.d));
});

test('the footer carries the Iceberg field id of every node and the exact physical/logical types', async () => {
  const { io, files } = await writeAll(ALL_TYPES_SCHEMA, ALL_TYPES_ROWS);
  const bytes = await io.read(files[0]!.filePath);
  const md = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const el = (name: string) => md.schema.find((e) => e.name === name)!;
  const ids = md.schema.filter((e) => e.field_id !== undefined).map((e) => e.field_id).sort((a, b) => a! - b!);
  assert.deepEqual(ids, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
  assert.equal(md.schema.find((e) => e.field_id === 24)!.name, 'element');
  assert.equal(md.schema.find((e) => e.field_id === 29)!.name, 'key');
  assert.ok(md.schema.some((e) => e.name === 'key_value' && e.repetition_type === 'REPEATED'));
  assert.deepEqual([el('dec9').type, el('dec18').type, el('dec38').type, el('dec38').type_length], ['INT32', 'INT64', 'FIXED_LEN_BYTE_ARRAY', 16]);
  assert.deepEqual(el('dec38').logical_type, { type: 'DECIMAL', precision: 38, scale: 10 });
  assert.deepEqual(el('ts').logical_type, { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' });
  assert.deepEqual(el('tstz').logical_type, { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' });
  assert.deepEqual(el('tod').logical_type, { type: 'TIME', isAdjustedToUTC: false, unit: 'MICROS' });
  assert.deepEqual([el('u').type, el('u').type_length, el('u').logical_type], ['FIXED_LEN_BYTE_ARRAY', 16, { type: 'UUID' }]);
  assert.deepEqual([el('day').type, el('day').converted_type], ['INT32', 'DATE']);
  assert.ok(md.key_value_metadata?.some((kv) => kv.key === 'iceberg.schema' && kv.value?.includes('"dec38"')));
});

test('metrics: counts, NaN counts, bounds of leaves (nested too), truncated string bounds, split offsets', async () => {
  const { files } = await writeAll(ALL_TYPES_SCHEMA, ALL_TYPES_ROWS);
  const f = files[0]!;
  assert.equal(f.content, 0);
  assert.equal(f.recordCount, 4);
  assert.equal(f.valueCounts?.get(3), 4);
  assert.equal(f.nullValueCounts?.get(3), 1);
  assert.equal(f.nullValueCounts?.get(2), 2);
  assert.equal(f.nanValueCounts?.get(5), 1);
  assert.equal(f.nanValueCounts?.get(6), 1);
  assert.equal(f.nanValueCounts?.has(3), false, 'NaN counts only for float/double');
  assert.equal(bound(f, 3, { type: 'int' }, 'lower'), -(2 ** 31));
  assert.equal(bound(f, 4, { type: 'long' }, 'upper'), 2n ** 63n - 1n);
  assert.equal(bound(f, 5, { type: 'float' }, 'lower'), -Infinity);
  assert.equal(bound(f, 6, { type: 'double' }, 'upper'), Number.MAX_VALUE, 'NaN is not a bound');
  assert.equal(bound(f, 9, { type: 'decimal', precision: 38, scale: 10 }, 'lower'), -(10n ** 38n - 1n));
  assert.equal(bound(f, 10, { type: 'date' }, 'upper'), 2932896);
  assert.equal(bound(f, 13, { type: 'timestamptz' }, 'lower'), -1n);
  assert.equal(bound(f, 14, { type: 'string' }, 'lower'), '');
  assert.equal(bound(f, 14, { type: 'string' }, 'upper'), 'zzz \u{1F600} über 日本語 b', '16 code points, the 16th (a) incremented');
  assert.equal(bound(f, 15, { type: 'uuid' }, 'upper'), 'ffffffff-ffff-ffff-ffff-ffffffffffff');
  assert.equal(bound(f, 2, { type: 'boolean' }, 'lower'), false);
  assert.equal(bound(f, 21, { type: 'int' }, 'upper'), 2, 'struct leaf');
  assert.equal(bound(f, 25, { type: 'double' }, 'upper'), 1.5, 'list element struct leaf');
  assert.equal(bound(f, 29, { type: 'string' }, 'upper'), 'n', 'map key');
  assert.equal(f.lowerBounds?.has(20), false, 'no bounds for a struct itself');
  assert.deepEqual(f.splitOffsets, [4]);
  assert.ok((f.columnSizes?.get(14) ?? 0) > 0);
});

test('rolls to a new file at the target size; every file reads back and row counts add up', async () => {
  const schema: Schema = { schemaId: 0, identifierFieldIds: [], fields: [{ id: 1, name: 'id', required: true, type: { type: 'long' } }, { id: 2, name: 's', required: false, type: { type: 'string' } }] };
  const rows = Array.from({ length: 5000 }, (_, i) => ({ id: BigInt(i), s: `row ${i} ${'x'.repeat(i % 50)}` }));
  const { io, files } = await writeAll(schema, rows, { targetFileSizeBytes: 4000, rowGroupRows: 500 });
  assert.ok(files.length >= 3, `expected several files, got ${files.length}`);
  assert.equal(files.reduce((n, f) => n + f.recordCount, 0), 5000);
  const back: Row[] = [];
  for (const f of files) {
    back.push(...(await readAll(io, f.filePath, schema)));
    assert.equal(f.fileSizeInBytes, (await io.read(f.filePath)).length);
    assert.equal(bound(f, 1, { type: 'long' }, 'lower'), back[back.length - f.recordCount]!.id);
  }
  assert.deepEqual(back, rows);
});

test('partitioned writes: one file per partition tuple, fanout bounded by maxOpenFiles', async () => {
  const schema: Schema = { schemaId: 0, identifierFieldIds: [], fields: [{ id: 1, name: 'id', required: true, type: { type: 'long' } }, { id: 2, name: 'k', required: false, type: { type: 'string' } }] };
  const spec = { specId: 3, fields: [{ sourceId: 2, fieldId: 1000, name: 'k', transform: 'identity' as const }] };
  const rows = Array.from({ length: 30 }, (_, i) => ({ id: BigInt(i), k: i % 3 === 0 ? null : `p${i % 3}` }));
  const { io, files } = await writeAll(schema, rows, { spec });
  assert.deepEqual(files.map((f) => f.partition).sort(), [['p1'], ['p2'], [null]].sort());
  for (const f of files) {
    assert.equal(f.specId, 3);
    const back = await readAll(io, f.filePath, schema);
    assert.ok(back.every((r) => r.k === f.partition[0]));
  }
  let n = 0;
  const w = createDataFileWriter({ io, schema, spec, maxOpenFiles: 2, locationFor: () => `memory://t/b/${n++}.parquet` });
  for (let i = 0; i < rows.length; i += 3) await w.writeRows(rows.slice(i, i + 3)); // each batch has all 3 partitions
  const bounded = await w.complete();
  assert.ok(bounded.length > 3, `closing the least recently written file makes more files, got ${bounded.length}`);
  assert.equal(bounded.reduce((c, f) => c + f.recordCount, 0), 30);
});

test('a value of the wrong representation fails naming file, column, row and value; abort leaves no file', async () => {
  const schema: Schema = { schemaId: 0, identifierFieldIds: [], fields: [{ id: 1, name: 'amount', required: false, type: { type: 'long' } }] };
  const io = new MemoryFileIO();
  const w = createDataFileWriter({ io, schema, locationFor: () => 'memory://bad.parquet' });
  await assert.rejects(
    (async () => {
      await w.writeRows([{ amount: 1n }, { amount: 2.5 }]);
      await w.complete();
    })(),
    (e: unknown) => e instanceof BadEventError && /memory:\/\/bad\.parquet/.test(e.message) && /column amount row 1 = 2\.5/.test(e.message),
  );
  await w.abort();
  assert.equal(await io.exists('memory://bad.parquet'), false);
});
