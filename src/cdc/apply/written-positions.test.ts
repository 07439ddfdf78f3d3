import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DataFile, PartitionSpec, Schema } from '../../iceberg/spec/types.ts';
import { writtenPositions } from './written-positions.ts';

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [1],
  fields: [
    { id: 1, name: 'id', required: true, type: { type: 'long' } },
    { id: 2, name: 'part', required: false, type: { type: 'string' } },
  ],
};
const unpartitioned: PartitionSpec = { specId: 0, fields: [] };
const byPart: PartitionSpec = { specId: 1, fields: [{ sourceId: 2, fieldId: 1000, name: 'part', transform: 'identity' }] };
const file = (name: string, recordCount: number, partition: DataFile['partition'] = []): DataFile =>
  ({ content: 0, filePath: `file:///t/${name}`, fileFormat: 'PARQUET', specId: partition.length === 0 ? 0 : 1, partition, recordCount, fileSizeInBytes: 1 }) as DataFile;
const rows = (n: number, part = (_i: number): string => 'a') => Array.from({ length: n }, (_, i) => ({ id: BigInt(i), part: part(i) }));
const where = (ps: ReturnType<typeof writtenPositions>) => ps.map((p) => `${p.dataFile.filePath.slice(10)}#${p.pos}`);

test('unpartitioned: rows fill the files in order, an empty file skipped', () => {
  const files = [file('f1', 2), file('f0', 0), file('f2', 3)];
  assert.deepEqual(where(writtenPositions(unpartitioned, schema, rows(5), files)), ['f1#0', 'f1#1', 'f2#0', 'f2#1', 'f2#2']);
});

test('partitioned: each partition fills its own files in order', () => {
  const files = [file('a1', 1, ['a']), file('b1', 2, ['b']), file('a2', 1, ['a'])];
  const ps = writtenPositions(byPart, schema, rows(4, (i) => (i % 2 === 0 ? 'a' : 'b')), files);
  assert.deepEqual(where(ps), ['a1#0', 'b1#0', 'a2#0', 'b1#1']);
});

test('counts that do not add up are an error, both ways', () => {
  assert.throws(() => writtenPositions(unpartitioned, schema, rows(3), [file('f1', 2)]), /fewer rows than were written/);
  assert.throws(() => writtenPositions(unpartitioned, schema, rows(2), [file('f1', 3)]), /hold 3 rows, 2 were written/);
  assert.throws(() => writtenPositions(byPart, schema, rows(2), [file('a1', 1, ['a'])]), /fewer rows than were written/);
});
