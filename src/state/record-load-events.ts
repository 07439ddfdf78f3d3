/**
 * Mirrors a bulk load's events into the status store, so `floe status` shows runs, tables and
 * chunks as they happen. Writes are queued in order and never fail the load: the store serves
 * people, the Iceberg table is the truth. Returns a function that waits for queued writes.
 */
import type { EventBus } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import type { StatusStore } from './status-store.ts';

export interface LoadRecorder {
  /** Waits for every queued write and unsubscribes. */
  flush(): Promise<void>;
}

/** Subscribes `store` to the 'load:*' events of one run. */
export function recordLoadEvents(events: EventBus, store: StatusStore, log: Logger): LoadRecorder {
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (write: () => Promise<void>): void => {
    queue = queue.then(write).catch((err: unknown) => log.warn({ err }, 'status store write failed; the load goes on'));
  };
  const now = Date.now;
  const offs = [
    events.on('load:table-started', (e) =>
      enqueue(() => store.updateTable(e.runId, e.table, { state: 'loading', chunksTotal: e.chunks, startedMs: now(), error: null })),
    ),
    events.on('load:chunk-done', (e) =>
      enqueue(async () => {
        await store.updateChunk(e.runId, e.table, e.chunk, { state: 'done', rows: e.rows, bytes: e.bytes, durationMs: e.ms, error: null });
        const chunks = await store.listChunks(e.runId, e.table);
        const done = chunks.filter((c) => c.state === 'done');
        await store.updateTable(e.runId, e.table, {
          chunksDone: done.length,
          rows: done.reduce((n, c) => n + c.rows, 0),
          bytes: done.reduce((n, c) => n + c.bytes, 0),
        });
      }),
    ),
    events.on('load:chunk-failed', (e) =>
      enqueue(() => store.updateChunk(e.runId, e.table, e.chunk, { state: e.willRetry ? 'running' : 'failed', attempts: e.attempt, error: e.error })),
    ),
    events.on('load:table-done', (e) =>
      enqueue(() =>
        store.updateTable(e.runId, e.table, {
          state: e.skipped ? 'skipped' : 'loaded',
          finishedMs: now(),
          snapshotId: e.snapshotId === null ? null : String(e.snapshotId),
          ...(e.skipped ? {} : { rows: e.rows }),
        }),
      ),
    ),
    events.on('load:table-failed', (e) => enqueue(() => store.updateTable(e.runId, e.table, { state: 'failed', finishedMs: now(), error: e.error }))),
  ];
  return {
    async flush() {
      for (const off of offs) off();
      await queue;
    },
  };
}
