import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parquetMetadata } from 'hyparquet';
import { BadEventError } from '../../core/errors.ts';
import { MemoryFileIO } from '../../io/memory-file-io.ts';
import { fromSingleValue } from '../spec/single-value.ts';
import { POSITION_DELETE_FILE_PATH_ID, POSITION_DELETE_POS_ID } from '../spec/types.ts';
import { readPositionDeletes } from './parquet-reader.ts';
import { writePositionDeleteFile } from './position-delete-writer.ts';

const A = 'file:///wh/t/data/a.parquet';
const B = 'file:///wh/t/data/b-\u00e9\u{1F600}-with-a-long-name.parquet';

test('rows come back sorted by file_path then pos, with reserved field ids, content 1 and full bounds', async () => {
  const io = new MemoryFileIO();
  const f = await writePositionDeleteFile({ io, path: 'memory://d1.parquet', specId: 2, partition: [7] }, [
    { filePath: B, pos: 3n },
    { filePath: A, pos: 10n },
    { filePath: B, pos: 1n },
    { filePath: A, pos: 2n ** 40n },
    { filePath: A, pos: 0n },
  ]);
  assert.deepEqual(await readPositionDeletes(io, 'memory://d1.parquet'), [
    { filePath: A, pos: 0n },
    { filePath: A, pos: 10n },
    { filePath: A, pos: 2n ** 40n },
    { filePath: B, pos: 1n },
    { filePath: B, pos: 3n },
  ]);
  assert.equal(f.content, 1);
  assert.equal(f.recordCount, 5);
  assert.equal(f.specId, 2);
  assert.deepEqual(f.partition, [7]);
  assert.equal(f.referencedDataFile, undefined, 'two data files referenced');
  const str = { type: 'string' } as const;
  assert.equal(fromSingleValue(str, f.lowerBounds!.get(POSITION_DELETE_FILE_PATH_ID)!), A);
  assert.equal(fromSingleValue(str, f.upperBounds!.get(POSITION_DELETE_FILE_PATH_ID)!), B, 'not truncated to 16 characters');
  assert.equal(fromSingleValue({ type: 'long' }, f.lowerBounds!.get(POSITION_DELETE_POS_ID)!), 0n);
  assert.equal(fromSingleValue({ type: 'long' }, f.upperBounds!.get(POSITION_DELETE_POS_ID)!), 2n ** 40n);
  const bytes = await io.read('memory://d1.parquet');
  const md = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  assert.deepEqual(
    md.schema.slice(1).map((e) => [e.name, e.field_id, e.repetition_type]),
    [['file_path', POSITION_DELETE_FILE_PATH_ID, 'REQUIRED'], ['pos', POSITION_DELETE_POS_ID, 'REQUIRED']],
  );
});

test('deletes of several data files, unsorted and with duplicates, are written sorted across row groups, pos past 2^32 exact', async () => {
  const io = new MemoryFileIO();
  const C = 'file:///wh/t/data/c.parquet';
  const big = 2n ** 32n + 7n;
  const input = [
    { filePath: C, pos: 4n }, { filePath: B, pos: big }, { filePath: A, pos: 9n }, { filePath: C, pos: 2n ** 31n },
    { filePath: A, pos: 9n }, { filePath: B, pos: 0n }, { filePath: A, pos: 2n ** 62n }, { filePath: C, pos: 1n },
    { filePath: B, pos: big }, { filePath: A, pos: 3n },
  ];
  const f = await writePositionDeleteFile({ io, path: 'memory://d4.parquet', rowGroupRows: 4 }, input);
  assert.deepEqual(await readPositionDeletes(io, 'memory://d4.parquet'), [
    { filePath: A, pos: 3n }, { filePath: A, pos: 9n }, { filePath: A, pos: 9n }, { filePath: A, pos: 2n ** 62n },
    { filePath: B, pos: 0n }, { filePath: B, pos: big }, { filePath: B, pos: big },
    { filePath: C, pos: 1n }, { filePath: C, pos: 4n }, { filePath: C, pos: 2n ** 31n },
  ]);
  assert.equal(f.recordCount, 10);
  assert.deepEqual(f.splitOffsets?.length, 3, 'three row groups of at most 4 rows');
  const str = { type: 'string' } as const;
  assert.equal(fromSingleValue(str, f.lowerBounds!.get(POSITION_DELETE_FILE_PATH_ID)!), A);
  assert.equal(fromSingleValue(str, f.upperBounds!.get(POSITION_DELETE_FILE_PATH_ID)!), C);
  assert.equal(fromSingleValue({ type: 'long' }, f.lowerBounds!.get(POSITION_DELETE_POS_ID)!), 0n);
  assert.equal(fromSingleValue({ type: 'long' }, f.upperBounds!.get(POSITION_DELETE_POS_ID)!), 2n ** 62n);
  assert.deepEqual(f.valueCounts?.get(POSITION_DELETE_POS_ID), 10);
  assert.deepEqual(f.nullValueCounts?.get(POSITION_DELETE_FILE_PATH_ID), 0);
});

test('referencedDataFile is set when every row names the same data file', async () => {
  const io = new MemoryFileIO();
  const f = await writePositionDeleteFile({ io, path: 'memory://d2.parquet' }, [{ filePath: A, pos: 5n }, { filePath: A, pos: 1n }]);
  assert.equal(f.referencedDataFile, A);
  assert.deepEqual(f.partition, []);
  assert.equal(f.specId, 0);
});

test('a negative or non-bigint pos is refused naming it; nothing is written', async () => {
  const io = new MemoryFileIO();
  await assert.rejects(
    writePositionDeleteFile({ io, path: 'memory://d3.parquet' }, [{ filePath: A, pos: -1n }]),
    (e: unknown) => e instanceof BadEventError && e.message.includes('pos -1') && e.message.includes(A),
  );
  assert.equal(await io.exists('memory://d3.parquet'), false);
});

test('thousands of deletes of long and short paths (each path repeated row after row) read back exactly', async () => {
  const io = new MemoryFileIO();
  const long1 = `file:///wh/t/data/${'x'.repeat(80)}-1.parquet`;
  const long2 = `file:///wh/t/data/${'x'.repeat(80)}-2-\u00e9.parquet`;
  const input = [];
  for (let i = 0; i < 3000; i++) input.push({ filePath: long2, pos: BigInt(3000 - i) }, { filePath: long1, pos: BigInt(i) }, { filePath: A, pos: BigInt(i) });
  await writePositionDeleteFile({ io, path: 'memory://d5.parquet', rowGroupRows: 2500 }, input);
  const back = await readPositionDeletes(io, 'memory://d5.parquet');
  const expected = [...input].sort((x, y) => (x.filePath < y.filePath ? -1 : x.filePath > y.filePath ? 1 : Number(x.pos - y.pos)));
  assert.equal(back.length, 9000);
  assert.deepEqual(back, expected);
});
