import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../core/events.ts';
import { silentLogger } from '../core/logger.ts';
import { MemoryStatusStore } from './memory-status-store.ts';
import { recordLoadEvents } from './record-load-events.ts';

test('load events become run, table and chunk rows in the status store', async () => {
  const events = new EventBus();
  const store = new MemoryStatusStore();
  await store.startRun('load', 'r1');
  const recorder = recordLoadEvents(events, store, silentLogger());
  events.emit('load:table-started', { table: 'db.t', runId: 'r1', chunks: 2, estimatedRows: 10 });
  events.emit('load:chunk-done', { table: 'db.t', runId: 'r1', chunk: 'c0', rows: 6, bytes: 60, ms: 5 });
  events.emit('load:chunk-failed', { table: 'db.t', runId: 'r1', chunk: 'c1', attempt: 1, error: 'reset', willRetry: true });
  events.emit('load:chunk-done', { table: 'db.t', runId: 'r1', chunk: 'c1', rows: 4, bytes: 40, ms: 5 });
  events.emit('load:table-done', { table: 'db.t', runId: 'r1', rows: 10, ms: 20, snapshotId: 42n, skipped: false });
  events.emit('load:table-failed', { table: 'db.u', runId: 'r1', error: 'no such table' });
  await recorder.flush();
  const tables = await store.listTables('r1');
  const t = tables.find((x) => x.target === 'db.t')!;
  assert.equal(t.state, 'loaded');
  assert.equal(t.rows, 10);
  assert.equal(t.chunksDone, 2);
  assert.equal(t.chunksTotal, 2);
  assert.equal(t.snapshotId, '42');
  assert.equal(tables.find((x) => x.target === 'db.u')!.state, 'failed');
  const chunks = await store.listChunks('r1', 'db.t');
  assert.deepEqual(chunks.map((c) => [c.chunkId, c.state, c.attempts]), [['c0', 'done', 0], ['c1', 'done', 1]]);
  // Once flushed, later events no longer write.
  events.emit('load:table-failed', { table: 'db.t', runId: 'r1', error: 'late' });
  await new Promise((r) => setImmediate(r));
  assert.equal((await store.listTables('r1')).find((x) => x.target === 'db.t')!.state, 'loaded');
});
