import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSummary } from './snapshot-summary.ts';
import { FileContent, type DataFile } from '../spec/types.ts';

const file = (content: FileContent, rows: number, bytes: number): DataFile => ({
  content,
  filePath: `file:///t/${Math.random()}.parquet`,
  fileFormat: 'PARQUET',
  specId: 0,
  partition: [],
  recordCount: rows,
  fileSizeInBytes: bytes,
});

test('first append counts added files and starts the totals', () => {
  const s = buildSummary('append', { addedFiles: [file(FileContent.Data, 10, 100), file(FileContent.Data, 5, 50)], removedFiles: [] }, undefined, {
    'floe.commit-id': 'abc',
  });
  assert.equal(s.operation, 'append');
  assert.equal(s['added-data-files'], '2');
  assert.equal(s['added-records'], '15');
  assert.equal(s['total-records'], '15');
  assert.equal(s['total-files-size'], '150');
  assert.equal(s['total-delete-files'], '0');
  assert.equal(s['floe.commit-id'], 'abc');
  assert.equal(s['deleted-records'], undefined);
});

test('a row delta adds data and position deletes to the previous totals', () => {
  const prev = { operation: 'append', 'total-records': '15', 'total-files-size': '150', 'total-data-files': '2', 'total-delete-files': '0', 'total-position-deletes': '0' };
  const s = buildSummary('overwrite', { addedFiles: [file(FileContent.Data, 3, 30), file(FileContent.PositionDeletes, 2, 20)], removedFiles: [] }, prev);
  assert.equal(s['total-records'], '18');
  assert.equal(s['total-position-deletes'], '2');
  assert.equal(s['total-delete-files'], '1');
  assert.equal(s['added-position-delete-files'], '1');
});

test('removing files subtracts; totals unknown before stay unknown', () => {
  const s = buildSummary('delete', { addedFiles: [], removedFiles: [file(FileContent.Data, 4, 40)] }, { 'total-records': '10' });
  assert.equal(s['total-records'], '6');
  assert.equal(s['total-data-files'], undefined);
  assert.equal(s['deleted-records'], '4');
});
