/**
 * The StatusStore contract as one test body; memory, SQLite and PostgreSQL run it against
 * themselves. `open(now)` returns an empty store whose clock is `now` (ms); `reopen` (when the
 * store persists) opens the same storage again, as a second process would.
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { NotFoundError } from '../../src/core/errors.ts';
import type { RunRecord, StatusStore } from '../../src/state/status-store.ts';

/** One status store implementation under test. */
export interface StatusStoreTarget {
  readonly name: string;
  /** A fresh, empty store with clock `now`. */
  open(now: () => number): Promise<StatusStore>;
  /** Opens the storage of the last `open` again (persistent stores only). */
  reopen?(now: () => number): Promise<StatusStore>;
}

/** A settable clock starting at 1_700_000_000_000 ms. */
function clock(): { now: () => number; set: (ms: number) => void } {
  let t = 1_700_000_000_000;
  return { now: () => t, set: (ms) => void (t = ms) };
}

async function withStore(target: StatusStoreTarget, body: (s: StatusStore, c: ReturnType<typeof clock>) => Promise<void>): Promise<void> {
  const c = clock();
  const store = await target.open(c.now);
  try {
    await body(store, c);
  } finally {
    await store.close();
  }
}

/** Registers the suite for `target`. */
export function statusStoreConformance(target: StatusStoreTarget): void {
  describe(`status store conformance: ${target.name}`, () => {
    it('starts a run as running on this host and pid, and lists it', () =>
      withStore(target, async (store, c) => {
        const run = await store.startRun('load', 'r1');
        const expected: RunRecord = { runId: 'r1', kind: 'load', state: 'running', startedMs: c.now(), finishedMs: null, host: hostname(), pid: process.pid, message: null };
        assert.deepEqual(run, expected);
        assert.deepEqual(await store.listRuns(10), [expected]);
      }));

    it('lists runs most recent first, ties by insertion, up to the limit', () =>
      withStore(target, async (store, c) => {
        c.set(1000);
        await store.startRun('load', 'old');
        c.set(3000);
        await store.startRun('sync', 'new');
        c.set(2000);
        await store.startRun('load', 'mid-a');
        await store.startRun('load', 'mid-b');
        assert.deepEqual((await store.listRuns(10)).map((r) => r.runId), ['new', 'mid-b', 'mid-a', 'old']);
        assert.deepEqual((await store.listRuns(2)).map((r) => r.runId), ['new', 'mid-b']);
        assert.deepEqual(await store.listRuns(0), []);
      }));

    it('finishes a run with state, message and end time; an unknown run is NotFoundError', () =>
      withStore(target, async (store, c) => {
        c.set(1000);
        await store.startRun('load', 'r1');
        c.set(5000);
        await store.finishRun('r1', 'partial', '1 of 2 tables failed: "sales"."orders"');
        const [run] = await store.listRuns(1);
        assert.equal(run!.state, 'partial');
        assert.equal(run!.finishedMs, 5000);
        assert.equal(run!.startedMs, 1000);
        assert.equal(run!.message, '1 of 2 tables failed: "sales"."orders"');
        await assert.rejects(store.finishRun('nope', 'failed', null), (e: Error) => e instanceof NotFoundError && e.message.includes('nope'));
      }));

    it('restarting a run id (resume) makes it running again and keeps its start time', () =>
      withStore(target, async (store, c) => {
        c.set(1000);
        await store.startRun('load', 'r1');
        await store.updateTable('r1', 'a.t', { state: 'failed', error: 'boom' });
        c.set(2000);
        await store.finishRun('r1', 'failed', 'boom');
        c.set(9000);
        const again = await store.startRun('load', 'r1');
        assert.equal(again.state, 'running');
        assert.equal(again.startedMs, 1000);
        assert.equal(again.finishedMs, null);
        assert.equal(again.message, null);
        assert.deepEqual(await store.listRuns(5), [again]);
        assert.equal((await store.listTables('r1'))[0]!.error, 'boom', 'tables survive a restart');
      }));

    it('puts whole run records (rebuild) and orders them by their start time', () =>
      withStore(target, async (store, c) => {
        c.set(5000);
        await store.startRun('load', 'live');
        const rebuilt: RunRecord = { runId: 'rebuilt', kind: 'load', state: 'succeeded', startedMs: 100, finishedMs: 200, host: 'iceberg', pid: 0, message: 'rebuilt from snapshots' };
        await store.putRun(rebuilt);
        assert.deepEqual((await store.listRuns(5))[1], rebuilt);
        const replaced = { ...rebuilt, startedMs: 9000, state: 'failed' as const };
        await store.putRun(replaced);
        assert.deepEqual(await store.listRuns(1), [replaced]);
      }));

    it('inserts a table row with defaults and merges partial updates; null clears a field', () =>
      withStore(target, async (store) => {
        await store.startRun('load', 'r1');
        await store.updateTable('r1', 'sales.orders', {});
        assert.deepEqual(await store.listTables('r1'), [
          { runId: 'r1', target: 'sales.orders', source: '', state: 'pending', rows: 0, bytes: 0, chunksDone: 0, chunksTotal: 0, startedMs: null, finishedMs: null, snapshotId: null, watermark: null, error: null },
        ]);
        await store.updateTable('r1', 'sales.orders', { source: 'public.orders', state: 'loading', chunksTotal: 8, startedMs: 10, error: 'first try failed' });
        await store.updateTable('r1', 'sales.orders', { rows: 5_000_000_123, bytes: 2 ** 40, chunksDone: 8, error: null });
        await store.updateTable('r1', 'sales.orders', { state: 'loaded', finishedMs: 20, snapshotId: '9223372036854775807', watermark: '0/16B3748', source: undefined });
        assert.deepEqual(await store.listTables('r1'), [
          {
            runId: 'r1', target: 'sales.orders', source: 'public.orders', state: 'loaded', rows: 5_000_000_123, bytes: 2 ** 40, chunksDone: 8, chunksTotal: 8,
            startedMs: 10, finishedMs: 20, snapshotId: '9223372036854775807', watermark: '0/16B3748', error: null,
          },
        ]);
        await assert.rejects(store.updateTable('nope', 'a.b', { rows: 1 }), NotFoundError);
      }));

    it('lists tables of the latest run when no run is named, by target; [] for an unknown run', () =>
      withStore(target, async (store, c) => {
        assert.deepEqual(await store.listTables(), []);
        c.set(1000);
        await store.startRun('load', 'r1');
        await store.updateTable('r1', 'z.first', { rows: 1 });
        c.set(2000);
        await store.startRun('load', 'r2');
        await store.updateTable('r2', 'b.t', { rows: 2 });
        await store.updateTable('r2', 'a.t', { rows: 3 });
        assert.deepEqual((await store.listTables()).map((t) => t.target), ['a.t', 'b.t']);
        assert.deepEqual((await store.listTables('r1')).map((t) => t.target), ['z.first']);
        assert.deepEqual(await store.listTables('unknown'), []);
      }));

    it('latestTables gives each target its row from the most recent run that touched it', () =>
      withStore(target, async (store, c) => {
        c.set(1000);
        await store.startRun('load', 'r1');
        await store.updateTable('r1', 'a.t', { state: 'loaded', rows: 10 });
        await store.updateTable('r1', 'b.t', { state: 'failed', error: 'x' });
        c.set(2000);
        await store.startRun('load', 'r2');
        await store.updateTable('r2', 'b.t', { state: 'loaded', rows: 20 });
        const latest = await store.latestTables();
        assert.deepEqual(latest.map((t) => [t.runId, t.target, t.state, t.rows]), [['r1', 'a.t', 'loaded', 10], ['r2', 'b.t', 'loaded', 20]]);
      }));

    it('records chunks in first-recorded order per table and merges their updates', () =>
      withStore(target, async (store) => {
        await store.startRun('load', 'r1');
        for (const id of ['9', '10', '2']) await store.updateChunk('r1', 'a.t', id, {});
        await store.updateChunk('r1', 'b.t', '0', { rows: 7 });
        await store.updateChunk('r1', 'a.t', '10', { attempts: 1, error: 'reset by peer' });
        await store.updateChunk('r1', 'a.t', '10', { state: 'done', attempts: 2, rows: 500_000, bytes: 1234, durationMs: 812, error: null });
        const chunks = await store.listChunks('r1', 'a.t');
        assert.deepEqual(chunks.map((c) => c.chunkId), ['9', '10', '2']);
        assert.deepEqual(chunks[1], { runId: 'r1', target: 'a.t', chunkId: '10', state: 'done', rows: 500_000, bytes: 1234, attempts: 2, durationMs: 812, error: null });
        assert.deepEqual(chunks[0], { runId: 'r1', target: 'a.t', chunkId: '9', state: 'running', rows: 0, bytes: 0, attempts: 0, durationMs: null, error: null });
        assert.deepEqual((await store.listChunks('r1', 'b.t')).map((c) => c.rows), [7]);
        assert.deepEqual(await store.listChunks('r1', 'none'), []);
        await assert.rejects(store.updateChunk('nope', 'a.t', '0', {}), NotFoundError);
      }));

    it('keeps hostile names and messages exactly', () =>
      withStore(target, async (store) => {
        const runId = `r'; DROP TABLE runs; --`;
        const targetName = `"sales"."o'rders ä 🚀"`;
        await store.startRun('sync', runId);
        await store.updateTable(runId, targetName, { source: `public."we ird"`, error: `line1\nline2 \\ ' " ?` });
        await store.updateChunk(runId, targetName, `ctid:'(0,1)'`, { error: '$1 ?' });
        const [table] = await store.listTables(runId);
        assert.equal(table!.target, targetName);
        assert.equal(table!.error, `line1\nline2 \\ ' " ?`);
        assert.equal((await store.listChunks(runId, targetName))[0]!.error, '$1 ?');
        assert.equal((await store.listRuns(1))[0]!.runId, runId);
      }));

    it('applies many concurrent updates without losing one', () =>
      withStore(target, async (store) => {
        await store.startRun('load', 'r1');
        await Promise.all(Array.from({ length: 40 }, (_, i) => store.updateChunk('r1', 'a.t', `c${i}`, { state: 'done', rows: i })));
        const chunks = await store.listChunks('r1', 'a.t');
        assert.equal(chunks.length, 40);
        assert.equal(chunks.reduce((s, c) => s + c.rows, 0), (39 * 40) / 2);
      }));

    if (target.reopen !== undefined) {
      const reopen = target.reopen.bind(target);
      it('keeps everything across close and reopen', async () => {
        const c = clock();
        const first = await target.open(c.now);
        await first.startRun('load', 'r1');
        await first.updateTable('r1', 'a.t', { state: 'loaded', rows: 3 });
        await first.updateChunk('r1', 'a.t', '0', { state: 'done' });
        await first.finishRun('r1', 'succeeded', 'ok');
        const runs = await first.listRuns(5);
        await first.close();
        const second = await reopen(c.now);
        try {
          assert.deepEqual(await second.listRuns(5), runs);
          assert.equal((await second.listTables('r1'))[0]!.rows, 3);
          assert.equal((await second.listChunks('r1', 'a.t'))[0]!.state, 'done');
        } finally {
          await second.close();
        }
      });
    }
  });
}
