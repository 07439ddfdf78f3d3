/**
 * Snapshot expiry in sync commits (TableApplierOptions.snapshotRetention): the number of
 * snapshots stays bounded however many commits run; every kept snapshot still reads exactly the
 * rows it had (no file a kept snapshot lists is deleted); the files only expired snapshots
 * listed are deleted; the load watermark (the handoff) outlives the load snapshot in a table
 * property; data files a truncate removed are deleted once it expires, but not while a tag
 * keeps an older snapshot that lists them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Change } from '../../core/change.ts';
import { EventBus, type FloeEvents } from '../../core/events.ts';
import type { MemoryFileIO } from '../../io/memory-file-io.ts';
import type { Row, TableMetadata } from '../../iceberg/spec/types.ts';
import { readManifestList } from '../../iceberg/manifest/manifest-list.ts';
import { readAllRows } from '../../iceberg/table/scan.ts';
import { openTableApplier, type TableApplier } from './apply-batch.ts';
import { del, setupTable, truncate, up } from './apply-test-support.ts';
import { checkpointSummary, loadWatermarkSnapshot, loadWatermarkSummary, readCheckpoint, SOURCE_LSN_KEY } from './checkpoint.ts';

const MIN = 60_000;
const RETENTION = { maxAgeMs: 10 * MIN, minSnapshotsToKeep: 3 };

interface World {
  readonly io: MemoryFileIO;
  readonly tag: (name: string, snapshotId: bigint) => Promise<void>;
  /** Points main at `snapshotId` (rollback_to_snapshot). */
  readonly rollback: (snapshotId: bigint) => Promise<void>;
  readonly applier: TableApplier;
  readonly expired: FloeEvents['sync:snapshots-expired'][];
  /** Rows by id after each committed snapshot. */
  readonly states: Map<bigint, Map<bigint, string>>;
  clock: number;
  metadata: TableMetadata | null;
  readonly rows: Map<bigint, string>;
}

async function world(dir: string, name: string): Promise<World> {
  const { io, catalog, id, indexPath } = await setupTable(dir, name);
  const events = new EventBus();
  const tag = async (name: string, snapshotId: bigint): Promise<void> => void (await catalog.commitTable(id, [], [{ action: 'set-snapshot-ref', refName: name, snapshotId, type: 'tag' }]));
  const rollback = async (snapshotId: bigint): Promise<void> => {
    await catalog.commitTable(id, [], [{ action: 'set-snapshot-ref', refName: 'main', snapshotId, type: 'branch' }]);
    w.rows.clear();
    for (const [k, v] of w.states.get(snapshotId)!) w.rows.set(k, v);
  };
  const w: World = { io, tag, rollback, applier: null as unknown as TableApplier, expired: [], states: new Map(), clock: 1_800_000_000_000, metadata: null, rows: new Map() };
  events.on('sync:snapshots-expired', (e) => w.expired.push(e));
  (w as { applier: TableApplier }).applier = await openTableApplier({ catalog, io, id, indexPath, events, snapshotRetention: RETENTION, now: () => w.clock });
  const commit = async (changes: Change[], summary: Record<string, string>): Promise<void> => {
    const r = await w.applier.apply(changes, { summary });
    for (const c of changes) {
      if (c.op === 'truncate') w.rows.clear();
      else if (c.op === 'delete') w.rows.delete(c.key!.id as bigint);
      else w.rows.set(c.after!.id as bigint, c.after!.v as string);
    }
    w.states.set(r.snapshot!.snapshotId, new Map(w.rows));
    w.metadata = (await catalog.loadTable(id)).metadata;
  };
  Object.assign(w, { commit });
  return w;
}

const commitOf = (w: World) => (w as unknown as { commit: (c: Change[], s: Record<string, string>) => Promise<void> }).commit;
const asMap = (rows: Row[]): Map<bigint, string> => new Map(rows.map((r) => [r.id as bigint, r.v as string]));
const offsets = (n: number): Record<string, string> => checkpointSummary(new Map([['pg.db.t', new Map([[0, BigInt(n)]])]]), { lsn: BigInt(1000 + n) });

/** Every kept snapshot reads the rows it was committed with: no file it lists was deleted. */
async function assertKeptSnapshotsRead(w: World): Promise<void> {
  for (const s of w.metadata!.snapshots) {
    const want = w.states.get(s.snapshotId);
    assert.ok(want !== undefined, `snapshot ${s.snapshotId} was committed by this test`);
    assert.deepEqual(asMap(await readAllRows(w.io, w.metadata!, { snapshotId: s.snapshotId })), want, `snapshot ${s.snapshotId} reads its rows`);
  }
}

test('sync commits expire old snapshots in batches; kept snapshots read right; expired lists and manifests are deleted; the load watermark outlives its snapshot', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-expiry-'));
  const w = await world(dir, 'expiry');
  const commit = commitOf(w);
  try {
    await commit([up(1n, 'loaded'), up(2n, 'loaded')], { [SOURCE_LSN_KEY]: '0/10' });
    const loadSnapshot = loadWatermarkSnapshot(w.metadata!)!.snapshotId;
    const seenLists = new Set<string>();
    let most = 0;
    for (let i = 1; i <= 60; i++) {
      w.clock += MIN;
      await commit([up(BigInt(i % 7), `v${i}`), del(BigInt((i + 3) % 7)), up(BigInt(100 + i), `n${i}`)], offsets(i));
      for (const s of w.metadata!.snapshots) seenLists.add(s.manifestList);
      most = Math.max(most, w.metadata!.snapshots.length);
    }
    await w.applier.close(); // waits for the expired files to be deleted (in the background during the run)
    // 10 min of snapshots, 1 min of slack, the current one
    assert.ok(most <= 13, `at most 13 snapshots at once, saw ${most}`);
    assert.ok(w.expired.length >= 5, `expiry ran in batches: ${w.expired.length}`);
    assert.ok(w.expired.every((e) => e.filesFailed === 0 && e.filesDeleted >= e.snapshots), JSON.stringify(w.expired));
    const kept = new Set(w.metadata!.snapshots.map((s) => s.snapshotId));
    assert.ok(!kept.has(loadSnapshot), 'the load snapshot expired');
    assert.deepEqual(loadWatermarkSummary(w.metadata!), { [SOURCE_LSN_KEY]: '0/10' }, 'the load watermark is still found (table property)');
    assert.equal(readCheckpoint(w.metadata!)?.snapshotId, w.metadata!.currentSnapshotId, 'the checkpoint is the current snapshot');
    assert.deepEqual(asMap(await readAllRows(w.io, w.metadata!)), w.rows);
    await assertKeptSnapshotsRead(w);
    const keptLists = new Set(w.metadata!.snapshots.map((s) => s.manifestList));
    const keptManifests = new Set<string>();
    for (const s of w.metadata!.snapshots) for (const m of await readManifestList(w.io, s.manifestList)) keptManifests.add(m.manifestPath);
    for (const list of seenLists) assert.equal(await w.io.exists(list), keptLists.has(list), `${list}: present only while its snapshot is kept`);
    const manifests = w.io.list().filter((p) => /\/metadata\/.*\.avro$/.test(p) && !/\/snap-/.test(p));
    for (const m of manifests) assert.ok(keptManifests.has(m), `manifest ${m} is listed by a kept snapshot`);
  } finally {
    await w.applier.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('data files a truncate removed are deleted once it expires, unless a tag keeps an older snapshot that lists them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-expiry-truncate-'));
  for (const tagged of [false, true]) {
    const w = await world(dir, `truncate_${tagged}`);
    const commit = commitOf(w);
    try {
      await commit([up(1n, 'a'), up(2n, 'b')], offsets(0));
      if (tagged) await w.tag('before-truncate', w.metadata!.currentSnapshotId!);
      const before = w.io.list().filter((p) => p.endsWith('.parquet'));
      w.clock += MIN;
      await commit([truncate], offsets(1));
      for (let i = 2; i <= 20; i++) {
        w.clock += MIN;
        await commit([up(BigInt(10 + i), 'x')], offsets(i));
      }
      await w.applier.close();
      assert.ok(w.expired.length > 0, 'expiry ran');
      assert.deepEqual(asMap(await readAllRows(w.io, w.metadata!)), w.rows);
      await assertKeptSnapshotsRead(w);
      const left = before.filter((p) => w.io.list().includes(p));
      if (tagged) assert.deepEqual(left, before, 'the tagged snapshot still lists the truncated files');
      else assert.deepEqual(left, [], 'the truncated files are gone with the truncate snapshot');
    } finally {
      await w.applier.close();
    }
  }
  await rm(dir, { recursive: true, force: true });
});

test("a rolled-back truncate expires without deleting the files it removed: main still lists them", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-expiry-rollback-'));
  const w = await world(dir, 'rollback');
  const commit = commitOf(w);
  try {
    await commit([up(1n, 'a'), up(2n, 'b')], {});
    const loaded = w.metadata!.currentSnapshotId!;
    w.clock += MIN;
    await commit([truncate], {});
    await w.rollback(loaded); // the truncate is now off main
    for (let i = 2; i <= 20; i++) {
      w.clock += MIN;
      await commit([up(BigInt(10 + i), 'x')], {});
    }
    await w.applier.close();
    assert.ok(w.expired.length > 0, 'expiry ran');
    assert.ok(!w.metadata!.snapshots.some((s) => s.snapshotId === loaded), 'the loaded snapshot and the truncate expired');
    assert.equal(w.rows.get(1n), 'a', 'main never lost the rows the rolled-back truncate removed');
    assert.deepEqual(asMap(await readAllRows(w.io, w.metadata!)), w.rows);
    await assertKeptSnapshotsRead(w);
  } finally {
    await w.applier.close();
    await rm(dir, { recursive: true, force: true });
  }
});
