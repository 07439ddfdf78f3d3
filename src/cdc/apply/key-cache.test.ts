import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileContent, type DataFile } from '../../iceberg/spec/types.ts';
import { KeyCache, cachedSyncTarget } from './key-cache.ts';
import type { SyncTarget } from './key-index-sync.ts';

const file = (path: string): DataFile => ({ content: FileContent.Data, filePath: path, fileFormat: 'PARQUET', specId: 0, partition: [], recordCount: 100, fileSizeInBytes: 1 });
const f1 = file('f1.parquet');
const f2 = file('f2.parquet');
const at = (c: KeyCache, id: string): string | null | undefined => {
  const p = c.get(id);
  return p === undefined || p === null ? p : `${p.dataFile.filePath}#${p.pos}`;
};

test('a new cache knows nothing; hits, known-absent entries and misses are told apart', () => {
  const c = new KeyCache(10);
  assert.equal(c.complete, false);
  assert.equal(at(c, 'a'), undefined);
  c.setPresent('a', { dataFile: f1, pos: 3 });
  c.setAbsent('b');
  assert.equal(at(c, 'a'), 'f1.parquet#3');
  assert.equal(at(c, 'b'), null);
  assert.equal(at(c, 'c'), undefined, 'a miss is unknown while the cache is not complete');
  assert.equal(c.size, 2);
});

test('full: the oldest entry goes (insertion order, moves keep their place) and the cache is no longer complete', () => {
  const c = new KeyCache(3);
  c.clear();
  assert.equal(c.complete, true);
  c.setPresent('a', { dataFile: f1, pos: 0 });
  c.setPresent('b', { dataFile: f1, pos: 1 });
  c.setPresent('c', { dataFile: f1, pos: 2 });
  c.setPresent('a', { dataFile: f2, pos: 9 }); // a move: 'a' stays the oldest
  assert.equal(c.complete, true);
  c.setPresent('d', { dataFile: f1, pos: 3 });
  assert.equal(c.complete, false);
  assert.equal(at(c, 'a'), undefined, 'evicted');
  assert.deepEqual(['b', 'c', 'd'].map((k) => at(c, k)), ['f1.parquet#1', 'f1.parquet#2', 'f1.parquet#3']);
  c.setAbsent('e'); // known-absent entries count too
  assert.equal(at(c, 'b'), undefined);
  assert.equal(at(c, 'e'), null);
  for (let i = 0; i < 50; i += 1) c.setPresent(`k${i}`, { dataFile: f2, pos: i }); // slots are reused
  assert.equal(c.size, 3);
  assert.deepEqual(['k47', 'k48', 'k49'].map((k) => at(c, k)), ['f2.parquet#47', 'f2.parquet#48', 'f2.parquet#49']);
});

test('write-through: a key deleted and reinserted in one batch ends present at its new position; a deleted one known absent', () => {
  const c = new KeyCache(10);
  c.setPresent('k', { dataFile: f1, pos: 5 });
  c.setPresent('gone', { dataFile: f1, pos: 6 });
  c.record({
    fromSnapshotId: 1n,
    toSnapshotId: 2n,
    clear: false,
    removed: [{ id: 'k', position: { dataFile: f1, pos: 5 } }, { id: 'gone', position: { dataFile: f1, pos: 6 } }],
    added: [{ id: 'k', position: { dataFile: f2, pos: 0 } }, { id: 'new', position: { dataFile: f2, pos: 1 } }],
  });
  assert.equal(at(c, 'k'), 'f2.parquet#0');
  assert.equal(at(c, 'gone'), null);
  assert.equal(at(c, 'new'), 'f2.parquet#1');
});

test('a truncate empties the cache and makes it complete: every other key is known absent', () => {
  const c = new KeyCache(10);
  c.setPresent('a', { dataFile: f1, pos: 0 });
  c.record({ fromSnapshotId: 1n, toSnapshotId: 2n, clear: true, removed: [], added: [{ id: 'b', position: { dataFile: f2, pos: 0 } }] });
  assert.equal(c.complete, true);
  assert.equal(at(c, 'a'), null);
  assert.equal(at(c, 'b'), 'f2.parquet#0');
  assert.equal(at(c, 'zzz'), null);
  c.record({ fromSnapshotId: 2n, toSnapshotId: 3n, clear: false, removed: [{ id: 'b', position: { dataFile: f2, pos: 0 } }], added: [] });
  assert.equal(c.size, 0, 'complete: a removed key is dropped, a miss already says absent');
  assert.equal(at(c, 'b'), null);
  c.reset();
  assert.equal(at(c, 'b'), undefined);
});

test('fill stops at capacity without evicting; capacity 0 caches nothing', () => {
  const c = new KeyCache(2);
  c.clear();
  assert.equal(c.fill('a', { dataFile: f1, pos: 0 }), true);
  assert.equal(c.fill('b', { dataFile: f1, pos: 1 }), true);
  assert.equal(c.complete, true, 'an index that fits exactly is complete');
  assert.equal(c.fill('c', { dataFile: f1, pos: 2 }), false);
  assert.equal(c.complete, false);
  assert.equal(at(c, 'a'), 'f1.parquet#0');
  const none = new KeyCache(0);
  none.clear();
  none.setPresent('a', { dataFile: f1, pos: 0 });
  none.setAbsent('b');
  assert.equal(none.complete, false);
  assert.equal(none.size, 0);
  assert.equal(at(none, 'a'), undefined);
});

test('cachedSyncTarget writes catch-up updates and rebuilds through to the cache', () => {
  const calls: string[] = [];
  const index: SyncTarget = {
    snapshotId: 7n,
    apply: () => void calls.push('apply'),
    startRebuild: () => void calls.push('start'),
    addDuringRebuild: () => void calls.push('add'),
    finishRebuild: () => void calls.push('finish'),
  };
  const c = new KeyCache(2);
  c.setPresent('old', { dataFile: f1, pos: 0 });
  const target = cachedSyncTarget(index, c);
  assert.equal(target.snapshotId, 7n);
  const id = (s: string): Uint8Array => Buffer.from(s, 'latin1');
  target.apply({ fromSnapshotId: 7n, toSnapshotId: 8n, removed: [{ id: id('old'), filePath: f1.filePath, pos: 0 }], added: [{ id: id('x'), dataFile: f2, pos: 4 }] });
  assert.equal(at(c, 'old'), null);
  assert.equal(at(c, 'x'), 'f2.parquet#4');
  target.startRebuild();
  assert.equal(c.size, 0);
  target.addDuringRebuild([{ id: id('p'), dataFile: f1, pos: 1 }, { id: id('q'), dataFile: f1, pos: 2 }, { id: id('r'), dataFile: f1, pos: 3 }]);
  target.finishRebuild(9n);
  assert.deepEqual(calls, ['apply', 'start', 'add', 'finish']);
  assert.equal(c.complete, false, 'the rebuild added more than fit');
  assert.equal(at(c, 'q'), 'f1.parquet#2');
  assert.equal(at(c, 'r'), undefined);
});
