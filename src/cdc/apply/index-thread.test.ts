import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileContent, type DataFile, type Schema } from '../../iceberg/spec/types.ts';
import { IndexThread } from './index-thread.ts';
import { packIdStrings, packUpdate } from './index-wire.ts';
import type { IndexChange } from './key-cache.ts';
import { encodeKey, idString, rowIdentity } from './key-encoding.ts';
import { KeyIndex } from './key-index.ts';

const schema: Schema = { schemaId: 0, identifierFieldIds: [1], fields: [{ id: 1, name: 'id', required: true, type: { type: 'long' } }] };
const identity = rowIdentity(schema);
const UUID = '11111111-1111-1111-1111-111111111111';
const file = (path: string): DataFile => ({ content: FileContent.Data, filePath: path, fileFormat: 'PARQUET', specId: 0, partition: [], recordCount: 1000, fileSizeInBytes: 1 });
const f1 = file('f1.parquet');
const f2 = file('f2.parquet');
const key = (i: number): string => idString(encodeKey(identity, { id: BigInt(i) }, 't'));
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floe-index-thread-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const start = (name: string, minTransactionIntervalMs?: number): Promise<IndexThread> =>
  IndexThread.start({ indexPath: join(dir, `${name}.sqlite`), identity, tableUuid: UUID, minTransactionIntervalMs });

/** The snapshot id and size of the index file `name`, read through a connection of its own. */
function persisted(name: string): { snapshotId: bigint | null | undefined; size: number } {
  const index = KeyIndex.open(join(dir, `${name}.sqlite`), identity, UUID);
  try {
    return { snapshotId: index.snapshotId, size: index.size() };
  } finally {
    index.close();
  }
}

/** Posts a first update (applied at once: the thread was quiet) and a second one, which the thread holds back. */
async function postHeld(thread: IndexThread): Promise<void> {
  thread.post(packUpdate(change(null, 1n, [], range(0, 100), f1, true)));
  await thread.drain(0);
  thread.post(packUpdate(change(1n, 2n, range(0, 10), range(100, 150), f2))); // 0..9 deleted, 100..149 added in f2
  await sleep(100);
  assert.equal(thread.pending, 60, 'held back: not applied within 100 ms');
}

/** `change` from snapshot `from` to `to`: `removed` keys leave f1, `added` keys land in `file` at their own number. */
function change(from: bigint | null, to: bigint, removed: number[], added: number[], file: DataFile, clear = false): IndexChange {
  return {
    fromSnapshotId: from,
    toSnapshotId: to,
    clear,
    removed: removed.map((i) => ({ id: key(i), position: { dataFile: f1, pos: i } })),
    added: added.map((i) => ({ id: key(i), position: { dataFile: file, pos: i } })),
  };
}

test('a lookup sees the updates posted before it, which nobody waited for; close persists them all', async () => {
  const thread = await start('order');
  thread.post(packUpdate(change(null, 1n, [], range(0, 100), f1, true)));
  thread.post(packUpdate(change(1n, 2n, range(0, 20), range(10, 20), f2))); // 0..9 deleted, 10..19 moved to f2
  assert.equal(thread.pending, 100 + 30, 'posted, not waited for');
  const keys = [...range(0, 30), 999].map(key);
  const found = await thread.lookup(packIdStrings(keys));
  const got = new Map<number, string>();
  for (let j = 0; j < found.key.length; j += 1) got.set(found.key[j]!, `${found.files[found.file[j]!]!.filePath}#${found.pos[j]}`);
  for (let i = 0; i < 31; i += 1) {
    const want = i < 10 || i === 30 ? undefined : i < 20 ? `f2.parquet#${i}` : `f1.parquet#${i}`;
    assert.equal(got.get(i), want, `key ${i}`);
  }
  for (let s = 2; s < 40; s += 1) thread.post(packUpdate(change(BigInt(s), BigInt(s + 1), [], [1000 + s], f2)));
  await thread.close();
  const index = KeyIndex.open(join(dir, 'order.sqlite'), identity, UUID);
  try {
    assert.equal(index.snapshotId, 40n);
    assert.equal(index.size(), 90 + 38);
  } finally {
    index.close();
  }
});

test('drain waits until at most the given number of posted entries is unpersisted', async () => {
  const thread = await start('drain');
  thread.post(packUpdate(change(null, 1n, [], range(0, 5000), f1, true)));
  thread.post(packUpdate(change(1n, 2n, range(0, 5000), [], f1)));
  await thread.drain(5000);
  assert.ok(thread.pending <= 5000);
  await thread.drain();
  assert.equal(thread.pending, 0);
  await thread.close();
});

test('a failed update surfaces on the next call (and only there); later calls keep failing', async () => {
  const thread = await start('fails');
  thread.post(packUpdate(change(5n, 6n, [], [1], f1))); // the index is not at snapshot 5
  await assert.rejects(thread.lookup(packIdStrings([key(1)])), (e: Error) => e.name === 'CorruptFileError' && /update expects 5/.test(e.message));
  assert.throws(() => thread.post(packUpdate(change(6n, 7n, [], [2], f1))), /update expects 5/);
  await assert.rejects(async () => thread.drain(), /update expects 5/);
  await thread.close(); // already surfaced
});

test('close reports a failure no call saw; a thread that cannot open its index fails to start', async () => {
  const thread = await start('fails-at-close');
  thread.post(packUpdate(change(5n, 6n, [], [1], f1)));
  await assert.rejects(thread.close(), /update expects 5/);
  await assert.rejects(IndexThread.start({ indexPath: join(dir, 'no-such-dir', 'x.sqlite'), identity, tableUuid: UUID }), /directory does not exist/);
});

test('updates queued behind each other persist together: a hot key ends where the last one put it', async () => {
  const thread = await start('queued');
  thread.post(packUpdate(change(null, 1n, [], range(0, 10), f1, true)));
  // key 0 moves f1 -> f2 -> f1 -> ... in every commit; key 1 is deleted and inserted again
  for (let s = 1; s <= 40; s += 1) {
    const [from, to] = s % 2 === 1 ? [f1, f2] : [f2, f1];
    thread.post(
      packUpdate({
        fromSnapshotId: BigInt(s),
        toSnapshotId: BigInt(s + 1),
        clear: false,
        removed: [{ id: key(0), position: { dataFile: from, pos: s - 1 } }, ...(s % 2 === 1 ? [{ id: key(1), position: { dataFile: f1, pos: 1 } }] : [])],
        added: [{ id: key(0), position: { dataFile: to, pos: s } }, ...(s % 2 === 0 ? [{ id: key(1), position: { dataFile: f1, pos: 1 } }] : [])],
      }),
    );
  }
  await thread.close();
  const index = KeyIndex.open(join(dir, 'queued.sqlite'), identity, UUID);
  try {
    assert.equal(index.snapshotId, 41n);
    assert.deepEqual([...index.lookup([key(0), key(1)].map((k) => Buffer.from(k, 'latin1')))].map(([k, at]) => [k, at.map((p) => `${p.dataFile.filePath}#${p.pos}`)]), [
      [key(0), ['f1.parquet#40']],
      [key(1), ['f1.parquet#1']],
    ]);
    assert.equal(index.size(), 10);
  } finally {
    index.close();
  }
});

test('applyAll keeps nothing of consecutive updates when one does not follow the one before', () => {
  const path = join(dir, 'apply-all.sqlite');
  const index = KeyIndex.open(path, identity, UUID);
  try {
    const entry = (i: number, f: DataFile) => ({ id: Buffer.from(key(i), 'latin1'), dataFile: f, pos: i });
    index.apply({ fromSnapshotId: null, toSnapshotId: 1n, clear: true, removed: [], added: [entry(0, f1)] });
    const first = { fromSnapshotId: 1n, toSnapshotId: 2n, removed: [], added: [entry(1, f1)] };
    assert.throws(() => index.applyAll([first, { fromSnapshotId: 3n, toSnapshotId: 4n, removed: [], added: [entry(2, f1)] }]), /at snapshot 2, update expects 3/);
    assert.equal(index.snapshotId, 1n);
    assert.equal(index.size(), 1);
    index.applyAll([first, { fromSnapshotId: 2n, toSnapshotId: 3n, removed: [{ id: entry(0, f1).id, filePath: 'f1.parquet', pos: 0 }], added: [entry(0, f2)] }]);
    assert.equal(index.snapshotId, 3n);
    assert.deepEqual(index.lookup([entry(0, f2).id]).get(key(0)), [{ dataFile: f2, pos: 0 }]);
    assert.equal(index.size(), 2);
  } finally {
    index.close();
  }
});

test('a lookup right after an update the thread holds back sees it', async () => {
  const thread = await start('held-lookup', 60_000);
  await postHeld(thread);
  const found = await thread.lookup(packIdStrings([0, 10, 120].map(key)));
  assert.deepEqual([...found.key].map((k, j) => `${k}:${found.files[found.file[j]!]!.filePath}#${found.pos[j]}`), ['1:f1.parquet#10', '2:f2.parquet#120']);
  assert.equal(thread.pending, 0, 'applied before the lookup was answered');
  await thread.close();
});

test('close persists the updates the thread holds back', async () => {
  const thread = await start('held-close', 60_000);
  await postHeld(thread);
  const t0 = performance.now();
  await thread.close();
  assert.ok(performance.now() - t0 < 5000, 'close does not wait out the interval');
  assert.deepEqual(persisted('held-close'), { snapshotId: 2n, size: 140 });
});

test('drain(0) has the thread apply what it holds back at once, and everything is persisted', async () => {
  const thread = await start('held-drain', 60_000);
  await postHeld(thread);
  const t0 = performance.now();
  await thread.drain(0);
  assert.ok(performance.now() - t0 < 1000, `drain took ${performance.now() - t0} ms`);
  assert.equal(thread.pending, 0);
  assert.deepEqual(persisted('held-drain'), { snapshotId: 2n, size: 140 });
  await thread.close();
});

test('held-back updates apply on their own once the interval has passed', async () => {
  const thread = await start('held-interval', 300);
  await postHeld(thread);
  thread.post(packUpdate(change(2n, 3n, [], [200], f2)));
  for (let waited = 0; thread.pending > 0 && waited < 5000; waited += 20) await sleep(20);
  assert.equal(thread.pending, 0, 'applied without a drain, lookup or close');
  assert.deepEqual(persisted('held-interval'), { snapshotId: 3n, size: 141 });
  await thread.close();
});

test('a held-back update that fails surfaces at close', async () => {
  const thread = await start('held-fails', 60_000);
  await postHeld(thread);
  thread.post(packUpdate(change(5n, 6n, [], [1], f1))); // the index will be at snapshot 2
  await assert.rejects(thread.close(), /at snapshot 2, update expects 5/);
  assert.deepEqual(persisted('held-fails'), { snapshotId: 1n, size: 100 }, 'nothing of the failed transaction kept');
});
