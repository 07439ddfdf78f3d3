import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { CorruptFileError } from '../../core/errors.ts';
import { MemoryFileIO } from '../../io/memory-file-io.ts';
import type { Row, Schema } from '../spec/types.ts';
import { createDataFileWriter } from './data-file-writer.ts';
import { readDataFile, type RowBatch } from './parquet-reader.ts';

const V1: Schema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: 'id', required: true, type: { type: 'long' } },
    { id: 2, name: 'name', required: false, type: { type: 'string' } },
  ],
};

async function collect(it: AsyncIterable<RowBatch>): Promise<RowBatch[]> {
  const out: RowBatch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

async function writeV1(io: MemoryFileIO, rows: number, rowGroupRows: number): Promise<string> {
  const w = createDataFileWriter({ io, schema: V1, locationFor: () => 'memory://v1.parquet', rowGroupRows });
  await w.writeRows(Array.from({ length: rows }, (_, i) => ({ id: BigInt(i), name: `n${i}` })));
  return (await w.complete())[0]!.filePath;
}

test('yields one batch per row group with the file position of its first row', async () => {
  const io = new MemoryFileIO();
  const path = await writeV1(io, 25, 10);
  const batches = await collect(readDataFile(io, path, V1));
  assert.deepEqual(batches.map((b) => [b.firstRowPosition, b.rows.length]), [[0, 10], [10, 10], [20, 5]]);
  assert.deepEqual(batches[2]!.rows[4], { id: 24n, name: 'n24' });
});

test('schema evolution: columns match by field id; renamed columns read, added ones are null, fieldIds projects', async () => {
  const io = new MemoryFileIO();
  const path = await writeV1(io, 3, 100);
  const v2: Schema = {
    schemaId: 1,
    identifierFieldIds: [],
    fields: [
      { id: 1, name: 'id', required: true, type: { type: 'long' } },
      { id: 2, name: 'full_name', required: false, type: { type: 'string' } },
      { id: 3, name: 'added', required: false, type: { type: 'double' } },
    ],
  };
  const rows = (await collect(readDataFile(io, path, v2))).flatMap((b) => b.rows);
  assert.deepEqual(rows[1], { id: 1n, full_name: 'n1', added: null });
  const projected = (await collect(readDataFile(io, path, v2, { fieldIds: [2] }))).flatMap((b) => b.rows);
  assert.deepEqual(projected, [{ full_name: 'n0' }, { full_name: 'n1' }, { full_name: 'n2' }]);
});

test('type promotion: an int column read as long, a float column read as double', async () => {
  const io = new MemoryFileIO();
  const old: Schema = { schemaId: 0, identifierFieldIds: [], fields: [{ id: 1, name: 'n', required: false, type: { type: 'int' } }, { id: 2, name: 'x', required: false, type: { type: 'float' } }] };
  const w = createDataFileWriter({ io, schema: old, locationFor: () => 'memory://p.parquet' });
  await w.writeRows([{ n: -5, x: 0.5 }, { n: null, x: null }]);
  await w.complete();
  const now: Schema = { schemaId: 1, identifierFieldIds: [], fields: [{ id: 1, name: 'n', required: false, type: { type: 'long' } }, { id: 2, name: 'x', required: false, type: { type: 'double' } }] };
  const rows = (await collect(readDataFile(io, 'memory://p.parquet', now))).flatMap((b) => b.rows);
  assert.deepEqual(rows, [{ n: -5n, x: 0.5 }, { n: null, x: null }]);
});

test('timestamps in millis from another writer come back as exact microseconds, before 1970 too', async () => {
  const writer = new ByteWriter();
  const pq = new ParquetWriter({
    writer,
    schema: [
      { name: 'root', num_children: 1 },
      { name: 't', field_id: 1, type: 'INT64', repetition_type: 'OPTIONAL', converted_type: 'TIMESTAMP_MILLIS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' } },
    ],
  });
  pq.write({ columnData: [{ name: 't', data: [-1n, 1_700_000_000_123n, null] }] });
  pq.finish();
  const io = new MemoryFileIO();
  await io.write('memory://ms.parquet', writer.getBytes());
  const schema: Schema = { schemaId: 0, identifierFieldIds: [], fields: [{ id: 1, name: 't', required: false, type: { type: 'timestamptz' } }] };
  const rows: Row[] = (await collect(readDataFile(io, 'memory://ms.parquet', schema))).flatMap((b) => b.rows);
  assert.deepEqual(rows, [{ t: -1000n }, { t: 1_700_000_000_123_000n }, { t: null }]);
});

test('a file that is not Parquet fails with CorruptFileError naming it', async () => {
  const io = new MemoryFileIO();
  await io.write('memory://junk.parquet', new TextEncoder().encode('this is not a parquet file at all'));
  await assert.rejects(collect(readDataFile(io, 'memory://junk.parquet', V1)), (e: unknown) => e instanceof CorruptFileError && e.message.includes('memory://junk.parquet'));
});
