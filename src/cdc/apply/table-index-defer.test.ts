import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CorruptFileError } from '../../core/errors.ts';
import { readAllRows } from '../../iceberg/table/scan.ts';
import { FileContent, type DataFile } from '../../iceberg/spec/types.ts';
import { currentSchema } from '../../iceberg/table/metadata-access.ts';
import { openTableApplier } from './apply-batch.ts';
import { assertIndexMatches, del, setupTable, up } from './apply-test-support.ts';
import { sortedEntries } from './index-rewrite.ts';
import { KeyCache, type IndexChange } from './key-cache.ts';
import { encodeKey, idString, rowIdentity, type RowIdentity } from './key-encoding.ts';
import { KeyIndex } from './key-index.ts';
import { TableIndex, type TableIndexOptions } from './table-index.ts';
import { seededRandom as rng } from '../../../test/support/seeded-random.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floe-table-index-defer-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const file = (path: string): DataFile => ({ content: FileContent.Data, filePath: path, fileFormat: 'PARQUET', specId: 0, partition: [], recordCount: 1000, fileSizeInBytes: 1 });
const files = [file('f0.parquet'), file('f1.parquet'), file('f2.parquet')];

/**
 * A TableIndex on an empty table (index rebuilt empty, cache complete) and a model of what it
 * holds; `commit` records one synthetic commit (snapshot ids 1, 2, ...) in both.
 */
async function openIndex(name: string, options: Partial<TableIndexOptions> = {}) {
  const t = await setupTable(dir, name);
  const { metadata } = await t.catalog.loadTable(t.id);
  const identity = rowIdentity(currentSchema(metadata));
  const opts: TableIndexOptions = { indexPath: t.indexPath, io: t.io, name, cacheEntries: 1000, maxPendingEntries: 1_000_000, ...options };
  const { index, warmed } = await TableIndex.open(opts, metadata, identity);
  assert.equal(warmed.complete, true);
  const model = new Map<number, string>();
  let snapshot = 0n;
  const key = (k: number): string => idString(encodeKey(identity, { id: BigInt(k) }, 't'));
  /** Removes `removed` keys (re-adding those also in `added`), adds `added` at positions in file `f`. */
  const commit = (removed: number[], added: number[], f = 1): void => {
    const at = (k: number): { dataFile: DataFile; pos: number } => {
      const [path, pos] = model.get(k)!.split('#');
      return { dataFile: files.find((x) => x.filePath === path)!, pos: Number(pos) };
    };
    const change: IndexChange = {
      fromSnapshotId: snapshot === 0n ? null : snapshot,
      toSnapshotId: snapshot + 1n,
      clear: false,
      removed: removed.map((k) => ({ id: key(k), position: at(k), readded: added.includes(k) })),
      added: added.map((k, i) => ({ id: key(k), position: { dataFile: files[f]!, pos: Number(snapshot) * 1000 + i } })),
    };
    snapshot += 1n;
    for (const k of removed) model.delete(k);
    added.forEach((k, i) => model.set(k, `${files[f]!.filePath}#${Number(change.toSnapshotId) * 1000 - 1000 + i}`));
    index.record(change);
  };
  return { t, index, identity, model, commit, snapshot: () => snapshot };
}

/** The index file's snapshot id and entries (`key` → file#pos), through a connection of its own. */
function persisted(path: string, identity: RowIdentity, tableUuid: string): { snapshotId: bigint | null | undefined; entries: Map<number, string> } {
  const index = KeyIndex.open(path, identity, tableUuid);
  try {
    const entries = new Map<number, string>();
    index.scan(Number.MAX_SAFE_INTEGER, (id, dataFile, pos) => entries.set(Number(Buffer.from(id).readBigUInt64BE(2) ^ (1n << 63n)), `${dataFile.filePath}#${pos}`));
    return { snapshotId: index.snapshotId, entries };
  } finally {
    index.close();
  }
}

/** Waits (up to 10 s) until the index file is at `snapshotId`. */
async function persistedAt(path: string, identity: RowIdentity, tableUuid: string, snapshotId: bigint): Promise<Map<number, string>> {
  for (let i = 0; ; i += 1) {
    const p = persisted(path, identity, tableUuid);
    if (p.snapshotId === snapshotId) return p.entries;
    if (i > 200) assert.fail(`index file at ${String(p.snapshotId)}, expected ${snapshotId}`);
    await sleep(50);
  }
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

test('while the cache is complete a record posts nothing; close rewrites the index from the cache, exactly, at the last snapshot', async () => {
  const x = await openIndex('quiet');
  const uuid = (await x.t.catalog.loadTable(x.t.id)).metadata.tableUuid;
  const rand = rng(5);
  for (let c = 0; c < 20; c += 1) {
    const held = [...x.model.keys()];
    const removed = held.filter(() => rand() < 0.2);
    const moved = removed.filter(() => rand() < 0.5);
    const fresh = range(0, 5).map(() => Math.floor(rand() * 300)).filter((k) => !x.model.has(k));
    x.commit(removed, [...moved, ...new Set(fresh)], c % 3);
  }
  assert.deepEqual({ ...x.index.persistence, rewriteMs: 0 }, { deferred: x.index.persistence.deferred, pending: 0, posted: 0, rewrites: 0, rewriteMs: 0 });
  assert.ok(x.index.persistence.deferred > 0);
  assert.deepEqual(persisted(x.t.indexPath, x.identity, uuid), { snapshotId: null, entries: new Map() }, 'the file is where open left it');
  await x.index.close();
  const after = persisted(x.t.indexPath, x.identity, uuid);
  assert.equal(after.snapshotId, 20n);
  assert.deepEqual([...after.entries].sort((a, b) => a[0] - b[0]), [...x.model].sort((a, b) => a[0] - b[0]));
  assert.ok(x.model.size > 10);
});

test('deferred entries reaching the budget (≥ twice the entries held) trigger a rewrite; later records defer again', async () => {
  const x = await openIndex('budget', { minDeferredEntries: 30 });
  const uuid = (await x.t.catalog.loadTable(x.t.id)).metadata.tableUuid;
  x.commit([], range(0, 10)); // 10 deferred; budget max(30, 2 × 10)
  assert.equal(x.index.persistence.rewrites, 0);
  x.commit(range(0, 10), range(0, 10), 2); // 10 moves: 20 more
  assert.deepEqual([x.index.persistence.rewrites, x.index.persistence.deferred, x.index.persistence.posted], [1, 0, 0]);
  assert.deepEqual(await persistedAt(x.t.indexPath, x.identity, uuid, 2n), x.model);
  x.commit([3], [], 0);
  assert.deepEqual([x.index.persistence.rewrites, x.index.persistence.deferred], [1, 1]);
  await x.index.close();
  assert.deepEqual(await persistedAt(x.t.indexPath, x.identity, uuid, 3n), x.model);
});

test('a trickle is rewritten maxDeferMs after its first deferred entry', async () => {
  const x = await openIndex('trickle', { maxDeferMs: 100 });
  const uuid = (await x.t.catalog.loadTable(x.t.id)).metadata.tableUuid;
  x.commit([], [1, 2]);
  x.commit([1], [7]);
  assert.equal(x.index.persistence.rewrites, 0);
  assert.deepEqual(await persistedAt(x.t.indexPath, x.identity, uuid, 2n), x.model);
  assert.deepEqual([x.index.persistence.rewrites, x.index.persistence.deferred], [1, 0]);
  await x.index.close();
});

test('a commit that could make the cache evict: rewrite first, then per-commit updates while it is not complete; moves near capacity still defer', async () => {
  const x = await openIndex('evict', { cacheEntries: 10 });
  const uuid = (await x.t.catalog.loadTable(x.t.id)).metadata.tableUuid;
  x.commit([], range(0, 8));
  x.commit(range(0, 8), range(0, 8), 2); // 8 + 8 added > 10, but all moves: counted exactly, nothing evicts
  assert.deepEqual([x.index.persistence.rewrites, x.index.persistence.posted], [0, 0]);
  x.commit([0], [20, 21, 22, 23]); // 8 - 1 + 4 = 11 > 10: evicts
  assert.deepEqual([x.index.persistence.rewrites, x.index.persistence.posted, x.index.persistence.deferred], [1, 1, 0]);
  x.commit([1], [30]);
  assert.deepEqual([x.index.persistence.rewrites, x.index.persistence.posted], [1, 2]);
  await x.index.close();
  assert.deepEqual(await persistedAt(x.t.indexPath, x.identity, uuid, 4n), x.model);
});

test('resync rewrites the deferred entries before it syncs (here: the table never had these snapshots, so it rebuilds)', async () => {
  const x = await openIndex('resync');
  const { metadata } = await x.t.catalog.loadTable(x.t.id);
  x.commit([], [1, 2, 3]);
  const opened = await x.index.resync(metadata, x.identity);
  assert.equal(x.index.persistence.rewrites, 1);
  assert.equal(opened.mode === 'rebuilt' && opened.reason, 'index snapshot 1 is not an ancestor of null');
  await x.index.close();
  assert.deepEqual(persisted(x.t.indexPath, x.identity, metadata.tableUuid), { snapshotId: null, entries: new Map() });
});

test('a crash while entries are deferred (close never called): the next open catches up over every commit since, to the table exactly', async () => {
  const t = await setupTable(dir, 'crash');
  let applier = await openTableApplier(t);
  await applier.apply(range(0, 20).map((k) => up(BigInt(k), 'a')));
  await applier.close();
  const crashed = await openTableApplier(t);
  await crashed.apply([up(1n, 'b'), del(2n), up(30n, 'c')]);
  await crashed.apply([up(30n, 'd'), del(3n), up(2n, 'back')]);
  await crashed.apply([up(4n, 'e'), del(5n)]);
  // `crashed` is abandoned: its thread holds a quiet connection and nothing deferred ever reaches the file
  applier = await openTableApplier(t);
  assert.equal(applier.opened.mode === 'caught-up' && applier.opened.snapshots, 3, JSON.stringify(applier.opened));
  await applier.apply([up(6n, 'f'), del(30n)]);
  await applier.close();
  const { metadata } = await t.catalog.loadTable(t.id);
  await assertIndexMatches(t.io, metadata, t.indexPath);
  const want = new Map(range(0, 20).map((k) => [k, 'a']));
  for (const [k, v] of [[1, 'b'], [2, 'back'], [4, 'e'], [6, 'f']] as const) want.set(k, v);
  for (const k of [3, 5]) want.delete(k);
  const rows = (await readAllRows(t.io, metadata)).map((r) => `${r.id}=${r.v}`).sort();
  assert.deepEqual(rows, [...want].map(([k, v]) => `${k}=${v}`).sort());
});

test('sortedEntries: the present entries of a cache in key byte order (long and inline identities), known-absent ones left out', () => {
  const c = new KeyCache(500, 6);
  const rand = rng(9);
  const model = new Map<string, number>();
  for (let i = 0; i < 400; i += 1) {
    const n = Math.floor(rand() * 1000);
    const id = n % 4 === 0 ? `a long identity ${n}` : String.fromCharCode(n & 0xff, n >> 8, 7);
    if (rand() < 0.2) {
      c.setAbsent(id);
      model.delete(id);
    } else {
      c.setPresent(id, { dataFile: files[n % 3]!, pos: n });
      model.set(id, n);
    }
  }
  const sorted = sortedEntries(c.dump());
  const got = [...sorted.chunks()].flat().map((e) => [Buffer.from(e.id).toString('latin1'), e.pos, e.dataFile.filePath]);
  const want = [...model].sort((a, b) => Buffer.compare(Buffer.from(a[0], 'latin1'), Buffer.from(b[0], 'latin1'))).map(([id, n]) => [id, n, files[n % 3]!.filePath]);
  assert.deepEqual(got, want);
  assert.equal(sorted.count, model.size);
});

test('KeyIndex.rewrite checks the snapshot it starts from and keeps nothing when it does not fit', () => {
  const identity = rowIdentity({ schemaId: 0, identifierFieldIds: [1], fields: [{ id: 1, name: 'id', required: true, type: { type: 'long' } }] });
  const index = KeyIndex.open(join(dir, 'rewrite.sqlite'), identity, 'u');
  try {
    const entry = (k: number, pos: number) => ({ id: encodeKey(identity, { id: BigInt(k) }, 't'), dataFile: files[0]!, pos });
    index.apply({ fromSnapshotId: null, toSnapshotId: 1n, clear: true, removed: [], added: [entry(1, 1), entry(2, 2)] });
    assert.throws(() => index.rewrite(7n, 8n, [[entry(3, 3)]]), (e: unknown) => e instanceof CorruptFileError && /at snapshot 1, rewrite expects 7/.test(e.message));
    assert.throws(() => index.rewrite(1n, 2n, [[entry(3, 3)], [entry(3, 4)]]), CorruptFileError);
    assert.deepEqual([index.snapshotId, index.size()], [1n, 2]);
    index.rewrite(1n, 2n, [[entry(2, 9), entry(5, 5)]]);
    assert.deepEqual([index.snapshotId, index.size(), [...index.lookup([entry(2, 0).id]).values()][0]![0]!.pos], [2n, 2, 9]);
  } finally {
    index.close();
  }
});
