import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ignoredColumns } from './open-kafka-source.ts';

test('ignoredColumns: excluded columns, and with an include list every column it does not name', () => {
  const exclude = ignoredColumns({ exclude: ['secret'] });
  assert.deepEqual(['secret', 'id', 'added'].map(exclude), [true, false, false], 'a new column is not ignored: it is a schema change');
  const include = ignoredColumns({ include: ['id', 'name'] });
  assert.deepEqual(['id', 'name', 'other'].map(include), [false, false, true]);
  assert.equal(ignoredColumns({})('anything'), false);
});
