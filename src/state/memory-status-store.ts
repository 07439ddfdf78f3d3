/**
 * A status store in process memory: for tests and for runs that need no history. Same
 * semantics as the SQL stores (the conformance suite holds all three to them); every record
 * handed out is a frozen copy.
 */
import { hostname } from 'node:os';
import { NotFoundError } from '../core/errors.ts';
import { mergeChunk, mergeTable, newChunkRecord, newTableRecord, type ChunkFields, type TableFields } from './status-records.ts';
import type { ChunkRecord, RunKind, RunRecord, RunState, StatusStore, TableRecord } from './status-store.ts';

/** Options of the memory store; `now` (ms) is for tests. */
export interface MemoryStatusStoreOptions {
  readonly now?: () => number;
}

interface RunEntry {
  record: RunRecord;
  seq: number; // insertion order, breaks ties between equal start times
  readonly tables: Map<string, TableRecord>;
  readonly chunks: Map<string, Map<string, ChunkRecord>>; // target → chunk id → chunk
}

/** Most recent first: start time, then insertion. */
function byRecency(a: RunEntry, b: RunEntry): number {
  return b.record.startedMs - a.record.startedMs || b.seq - a.seq;
}

/** The StatusStore contract held in maps; lost when the process ends. */
export class MemoryStatusStore implements StatusStore {
  readonly #runs = new Map<string, RunEntry>();
  readonly #now: () => number;
  #seq = 0;

  constructor(options: MemoryStatusStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  #run(runId: string): RunEntry {
    const entry = this.#runs.get(runId);
    if (entry === undefined) throw new NotFoundError(`status store: run ${runId} does not exist`);
    return entry;
  }

  async startRun(kind: RunKind, runId: string): Promise<RunRecord> {
    const existing = this.#runs.get(runId);
    const record: RunRecord = Object.freeze({
      runId, kind, state: 'running', startedMs: existing?.record.startedMs ?? this.#now(),
      finishedMs: null, host: hostname(), pid: process.pid, message: null,
    });
    if (existing) existing.record = record;
    else this.#runs.set(runId, { record, seq: ++this.#seq, tables: new Map(), chunks: new Map() });
    return record;
  }

  async putRun(record: RunRecord): Promise<void> {
    const existing = this.#runs.get(record.runId);
    if (existing) existing.record = Object.freeze({ ...record });
    else this.#runs.set(record.runId, { record: Object.freeze({ ...record }), seq: ++this.#seq, tables: new Map(), chunks: new Map() });
  }

  async finishRun(runId: string, state: Exclude<RunState, 'running'>, message: string | null): Promise<void> {
    const entry = this.#run(runId);
    entry.record = Object.freeze({ ...entry.record, state, message, finishedMs: this.#now() });
  }

  async updateTable(runId: string, target: string, fields: TableFields): Promise<void> {
    const entry = this.#run(runId);
    const base = entry.tables.get(target) ?? newTableRecord(runId, target);
    entry.tables.set(target, Object.freeze(mergeTable(base, fields)));
  }

  async updateChunk(runId: string, target: string, chunkId: string, fields: ChunkFields): Promise<void> {
    const entry = this.#run(runId);
    let chunks = entry.chunks.get(target);
    if (chunks === undefined) entry.chunks.set(target, (chunks = new Map()));
    const base = chunks.get(chunkId) ?? newChunkRecord(runId, target, chunkId);
    chunks.set(chunkId, Object.freeze(mergeChunk(base, fields)));
  }

  async listRuns(limit: number): Promise<RunRecord[]> {
    return [...this.#runs.values()].sort(byRecency).slice(0, Math.max(0, limit)).map((e) => e.record);
  }

  async listTables(runId?: string): Promise<TableRecord[]> {
    const entry = runId === undefined ? [...this.#runs.values()].sort(byRecency)[0] : this.#runs.get(runId);
    if (entry === undefined) return [];
    return [...entry.tables.values()].sort((a, b) => compareText(a.target, b.target));
  }

  async latestTables(): Promise<TableRecord[]> {
    const latest = new Map<string, TableRecord>();
    for (const entry of [...this.#runs.values()].sort(byRecency)) {
      for (const table of entry.tables.values()) if (!latest.has(table.target)) latest.set(table.target, table);
    }
    return [...latest.values()].sort((a, b) => compareText(a.target, b.target));
  }

  async listChunks(runId: string, target: string): Promise<ChunkRecord[]> {
    return [...(this.#runs.get(runId)?.chunks.get(target)?.values() ?? [])];
  }

  async close(): Promise<void> {}
}

/** Binary (code unit) order, the same as SQLite's default collation and PostgreSQL's "C". */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
