import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryCatalog } from '../catalog/memory/memory-catalog.ts';
import type { Snapshot, TableIdentifier, TableUpdate } from '../iceberg/spec/types.ts';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import { MemoryStatusStore } from './memory-status-store.ts';
import { BRANCH_PREFIX, LOAD_KEYS } from '../pipeline/load/load-state.ts';
import { LOAD_BRANCH_PREFIX, REBUILD_KEYS, planRebuild, rebuildStatus } from './rebuild-status.ts';

const T = 1_700_000_000_000;
const id: TableIdentifier = { namespace: ['sales'], name: 'orders' };
const schema = { schemaId: 0, identifierFieldIds: [], fields: [{ id: 1, name: 'id', required: true, type: { type: 'long' as const } }] };

let seq = 0;
function chunkSnap(snapshotId: bigint, parent: bigint | undefined, runId: string, chunk: string, rows: number, extra: Record<string, string> = {}): Snapshot {
  seq += 1;
  return {
    snapshotId, sequenceNumber: seq, timestampMs: T + seq * 1000, manifestList: `memory://m/${snapshotId}.avro`,
    summary: { operation: 'append', 'added-records': String(rows), 'added-files-size': String(rows * 10), 'floe.load.run-id': runId, 'floe.load.chunk': chunk, 'floe.source.lsn': `0/${runId.toUpperCase()}`, ...extra },
    ...(parent === undefined ? {} : { parentSnapshotId: parent }),
  };
}

/** A table with: r1 published to main (2 chunks), r2 staged on its branch (1 of 3 chunks), r0 abandoned (no branch, off main). */
async function fixture(): Promise<{ catalog: MemoryCatalog; io: MemoryFileIO }> {
  const io = new MemoryFileIO();
  const catalog = new MemoryCatalog({ io });
  await catalog.createNamespace(['sales']);
  await catalog.createTable(id, { schema });
  const commit = (updates: TableUpdate[]) => catalog.commitTable(id, [], updates);
  const branch = (name: string, s: Snapshot): TableUpdate[] => [{ action: 'add-snapshot', snapshot: s }, { action: 'set-snapshot-ref', refName: name, snapshotId: s.snapshotId, type: 'branch' }];
  await commit(branch('floe-load-r0', chunkSnap(5n, undefined, 'r0', '0', 1)));
  await commit([{ action: 'remove-snapshot-ref', refName: 'floe-load-r0' }]);
  await commit(branch('floe-load-r1', chunkSnap(10n, undefined, 'r1', '0', 100)));
  await commit(branch('floe-load-r1', chunkSnap(11n, 10n, 'r1', '1', 50)));
  await commit([
    { action: 'set-snapshot-ref', refName: 'main', snapshotId: 11n, type: 'branch' },
    { action: 'remove-snapshot-ref', refName: 'floe-load-r1' },
    { action: 'set-properties', updates: { 'floe.load.complete-run': 'r1' } },
  ]);
  const plan = 'memory://wh/sales/orders/metadata/load-r2.plan.json';
  await io.write(plan, new TextEncoder().encode(JSON.stringify({ format: 1, chunks: [{ id: '0' }, { id: '1' }, { id: '2' }] })));
  await commit(branch('floe-load-r2', chunkSnap(20n, 11n, 'r2', '2', 7, { 'floe.load.plan': plan })));
  return { catalog, io };
}

describe('rebuild status from Iceberg', () => {
  it('reads the same summary keys and branch names the bulk load writes', () => {
    // state/ must not import pipeline/ (the pipeline uses the store); this test catches drift.
    assert.deepEqual(REBUILD_KEYS, { runId: LOAD_KEYS.loadId, chunk: LOAD_KEYS.chunk, plan: LOAD_KEYS.plan, lsn: LOAD_KEYS.lsn, pgSnapshot: LOAD_KEYS.pgSnapshot, completeRun: LOAD_KEYS.completeRun });
    assert.equal(LOAD_BRANCH_PREFIX, BRANCH_PREFIX);
  });

  it('plans runs, tables and chunks from snapshot summaries, branches and the complete-run property', async () => {
    const { catalog } = await fixture();
    const metadata = (await catalog.loadTable(id)).metadata;
    const plan = planRebuild([{ target: 'sales.orders', source: 'public.orders', metadata }], new Map([['r2', 3]]));
    const byRun = new Map(plan.tables.map((t) => [t.runId, t]));
    const r1 = byRun.get('r1')!;
    assert.deepEqual([r1.state, r1.rows, r1.bytes, r1.chunksDone, r1.chunksTotal, r1.snapshotId, r1.watermark, r1.error, r1.source], ['loaded', 150, 1500, 2, 2, '11', '0/R1', null, 'public.orders']);
    assert.ok(r1.finishedMs! >= r1.startedMs!);
    const r2 = byRun.get('r2')!;
    assert.deepEqual([r2.state, r2.rows, r2.chunksDone, r2.chunksTotal, r2.finishedMs], ['loading', 7, 1, 3, null]);
    assert.match(r2.error!, /floe-load-r2/);
    assert.equal(byRun.get('r0')!.state, 'failed');
    const runs = new Map(plan.runs.map((r) => [r.runId, r]));
    assert.equal(runs.get('r1')!.state, 'succeeded');
    assert.equal(runs.get('r2')!.state, 'abandoned');
    assert.match(runs.get('r2')!.message!, /resumable: sales\.orders/);
    assert.deepEqual(plan.chunks.filter((c) => c.runId === 'r1').map((c) => [c.chunkId, c.rows, c.state]), [['0', 100, 'done'], ['1', 50, 'done']]);
  });

  it('writes the store, reads plan totals of staged loads, reports missing tables and leaves running runs alone', async () => {
    const { catalog, io } = await fixture();
    const store = new MemoryStatusStore({ now: () => T + 999_999 });
    await store.startRun('load', 'r2'); // a live process owns r2: the rebuild must not touch it
    const report = await rebuildStatus({ catalog, store, io: () => io, targets: [{ id, source: 'public.orders' }, { id: { namespace: ['sales'], name: 'gone' }, source: 'public.gone' }] });
    assert.deepEqual(report, { runs: 2, tables: 2, chunks: 3, missing: ['sales.gone'], keptRunning: ['r2'] });
    assert.deepEqual((await store.listTables('r1')).map((t) => [t.target, t.state, t.rows]), [['sales.orders', 'loaded', 150]]);
    assert.deepEqual(await store.listTables('r2'), []);
    assert.equal((await store.listRuns(10)).find((r) => r.runId === 'r2')!.state, 'running');

    const fresh = new MemoryStatusStore();
    await rebuildStatus({ catalog, store: fresh, io: () => io, targets: [{ id, source: 'public.orders' }] });
    assert.equal((await fresh.listTables('r2'))[0]!.chunksTotal, 3, 'total read from the plan file');
    assert.deepEqual((await fresh.latestTables()).map((t) => t.runId), ['r2'], 'the staged load is the latest');
  });
});
