import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toLocalPath } from './local-file-io.ts';

test('file URIs map to paths literally: url-encoded partition values stay as written', () => {
  assert.equal(toLocalPath('file:///w/t/data/region=%C3%A4/x.parquet'), '/w/t/data/region=%C3%A4/x.parquet');
  assert.equal(toLocalPath('file:/w/a b'), '/w/a b');
  assert.equal(toLocalPath('/w/plain'), '/w/plain');
  assert.throws(() => toLocalPath('file://host/w'), /names a host/);
  assert.throws(() => toLocalPath('relative/path'), /neither a file/);
});
