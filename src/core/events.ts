/**
 * A typed event map that logging and metrics subscribe to. Producers emit plain facts; they
 * never know who listens. Durations are milliseconds, sizes bytes.
 */
import { EventEmitter } from 'node:events';

export interface FloeEvents {
  'commit:retry': { table: string; attempt: number; reason: string; delayMs: number };
  'commit:done': { table: string; snapshotId: bigint; operation: string; ms: number; attempts: number };
  'file:written': { table: string; path: string; rows: number; bytes: number; content: 'data' | 'position-deletes' };
  /** A bulk load planned a table: how much work there is (estimates from the source). */
  'load:table-started': { table: string; runId: string; chunks: number; estimatedRows: number };
  'load:chunk-done': { table: string; runId: string; chunk: string; rows: number; bytes: number; ms: number };
  'load:chunk-failed': { table: string; runId: string; chunk: string; attempt: number; error: string; willRetry: boolean };
  'load:table-done': { table: string; runId: string; rows: number; ms: number; snapshotId: bigint | null; skipped: boolean };
  'load:table-failed': { table: string; runId: string; error: string };
  /** Change data capture: one batch applied to one table in one Iceberg commit. */
  'sync:batch-committed': {
    table: string;
    upserts: number;
    deletes: number;
    ms: number;
    snapshotId: bigint;
    /** Source commit time of the newest change in the batch → Iceberg commit, ms. */
    freshnessMs: number | null;
  };
  /** Records read, by Debezium op; `count` (default 1) when a worker thread reports them in bulk. */
  'sync:event': { table: string; op: 'c' | 'r' | 'u' | 'd' | 't' | 'm' | 'tombstone'; count?: number };
  'sync:bad-event': { table: string | null; reason: string; policy: 'fail' | 'skip' | 'dead-letter' };
  /** A sync commit expired old snapshots (snapshot-expiry-plan.ts) and deleted the files only they referenced. */
  'sync:snapshots-expired': { table: string; snapshots: number; filesDeleted: number; filesFailed: number; ms: number };
  'sync:lag': { topic: string; partition: number; lag: number };
  /** A PostgreSQL replication slot's upkeep: WAL it holds back (pg_current_wal_lsn() − confirmed_flush_lsn), bytes. */
  'sync:slot': { slot: string; retainedWalBytes: number; limitBytes: number; confirmedFlushLsn: string | null };
}

export type FloeEventName = keyof FloeEvents;

/** A small typed wrapper over EventEmitter. */
export class EventBus {
  readonly #emitter = new EventEmitter();

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends FloeEventName>(name: K, listener: (event: FloeEvents[K]) => void): () => void {
    this.#emitter.on(name, listener);
    return () => this.#emitter.off(name, listener);
  }

  emit<K extends FloeEventName>(name: K, event: FloeEvents[K]): void {
    this.#emitter.emit(name, event);
  }
}
