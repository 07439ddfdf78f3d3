import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileContent, type DataFile } from '../../iceberg/spec/types.ts';
import type { RowPosition } from '../../iceberg/table/table-writer.ts';
import { KeyCache, cachedSyncTarget, type IndexChange } from './key-cache.ts';
import type { SyncTarget } from './key-index-sync.ts';
import { seededRandom as rng } from '../../../test/support/seeded-random.ts';

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

/** `record` as it was first written, through setAbsent / setPresent: the model the faster one must match. */
function recordOneByOne(c: KeyCache, change: IndexChange): void {
  if (change.clear) c.clear();
  const readded = new Set(change.added.map((a) => a.id));
  for (const r of change.removed) if (!readded.has(r.id)) c.setAbsent(r.id);
  for (const a of change.added) c.setPresent(a.id, a.position);
}

test('record with slots from get and readded flags (stale, missing or wrong slots too) ends as setAbsent / setPresent one by one', () => {
  for (const [seed, capacity, complete] of [[1, 12, true], [2, 12, false], [3, 200, true], [4, 200, false]] as const) {
    const rand = rng(seed);
    const fast = new KeyCache(capacity, 3);
    const model = new KeyCache(capacity, 3);
    if (complete) [fast, model].forEach((c) => c.clear());
    const ids = Array.from({ length: 40 }, (_, i) => (i % 9 === 0 ? `long-${i}` : `k${i}`));
    for (let step = 0; step < 400; step += 1) {
      const f = file(`s${step}.parquet`);
      const keys = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 12) }, () => ids[Math.floor(rand() * ids.length)]!))];
      const removed: { id: string; position: RowPosition }[] = [];
      const added: { id: string; position: RowPosition }[] = [];
      for (const id of keys) {
        const hit = fast.get(id);
        const live = hit ?? (hit === null || rand() < 0.5 ? null : { dataFile: f1, pos: 99 }); // unknown: the index thread may know it
        // a slot from get, none (from the index thread), or a wrong one
        const position: RowPosition = live === null ? { dataFile: f1, pos: 0 } : rand() < 0.2 ? Object.assign({ ...live }, { slot: Math.floor(rand() * capacity) }) : live;
        if (live !== null || rand() < 0.1) removed.push({ id, position });
        if (rand() < 0.7) added.push({ id, position: { dataFile: f, pos: added.length } });
      }
      const addedIds = new Set(added.map((a) => a.id));
      const change: IndexChange = {
        fromSnapshotId: null,
        toSnapshotId: null,
        clear: rand() < 0.02,
        removed: removed.map((r) => (rand() < 0.8 ? { ...r, readded: addedIds.has(r.id) } : r)), // readded, where given, is right
        added,
      };
      fast.record(change);
      recordOneByOne(model, change);
      assert.deepEqual(ids.map((id) => at(fast, id)), ids.map((id) => at(model, id)), `seed ${seed} step ${step}`);
      assert.deepEqual([fast.size, fast.complete], [model.size, model.complete], `seed ${seed} step ${step}`);
      assert.deepEqual(fast.getAll(ids), ids.map((id) => fast.get(id)));
    }
    if (capacity < ids.length) assert.equal(fast.complete, false, 'evicted along the way');
  }
});

test('record moves a re-added key in place: it keeps its age, and the oldest untouched entry is evicted first', () => {
  const c = new KeyCache(3);
  c.clear();
  c.setPresent('a', { dataFile: f1, pos: 0 });
  c.setPresent('b', { dataFile: f1, pos: 1 });
  c.setPresent('c', { dataFile: f1, pos: 2 });
  c.record({ fromSnapshotId: 1n, toSnapshotId: 2n, clear: false, removed: [{ id: 'a', position: c.get('a')!, readded: true }], added: [{ id: 'a', position: { dataFile: f2, pos: 7 } }] });
  assert.equal(c.complete, true);
  assert.equal(at(c, 'a'), 'f2.parquet#7');
  c.setPresent('d', { dataFile: f1, pos: 3 });
  assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => at(c, k)), [undefined, 'f1.parquet#1', 'f1.parquet#2', 'f1.parquet#3']);
});

test('fits says exactly whether recording a change into a complete cache evicts (moves, removals, new keys, stale or missing slots, duplicates)', () => {
  const rand = rng(21);
  let fitting = 0;
  for (let round = 0; round < 400; round += 1) {
    const c = new KeyCache(40);
    c.clear();
    const held = 30 + Math.floor(rand() * 11);
    for (let i = 0; i < held; i += 1) c.setPresent(`k${i}`, { dataFile: f1, pos: i });
    const removed: { id: string; position: RowPosition; readded?: boolean }[] = [];
    const added: { id: string; position: RowPosition }[] = [];
    for (let j = 0; j < 1 + Math.floor(rand() * 12); j += 1) {
      const id = `k${Math.floor(rand() * held)}`;
      const cached = c.get(id);
      const position = cached === null || cached === undefined || rand() < 0.2 ? { dataFile: f1, pos: 0 } : cached; // some without a slot
      const readded = rand() < 0.5;
      removed.push({ id, position, ...(rand() < 0.8 ? { readded } : {}) });
      if (readded) added.push({ id, position: { dataFile: f2, pos: j } });
    }
    for (let j = 0; j < Math.floor(rand() * 12); j += 1) added.push({ id: `n${Math.floor(rand() * 8)}`, position: { dataFile: f2, pos: 100 + j } });
    const change: IndexChange = { fromSnapshotId: 1n, toSnapshotId: 2n, clear: rand() < 0.05, removed, added };
    const fits = c.fits(change);
    c.record(change);
    assert.equal(fits, c.complete, `round ${round}: ${JSON.stringify({ held, removed: removed.map((r) => [r.id, r.readded]), added: added.map((a) => a.id) })}`);
    if (fits) fitting += 1;
  }
  assert.ok(fitting > 50 && fitting < 390, `both outcomes: ${fitting} of 400 fit`);
});
