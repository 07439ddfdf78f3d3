/**
 * The status store: runs, tables, chunks, their states, errors and durations, for people
 * (`floe status`) and for speed (resume without rescanning). It is never the source of truth
 * for correctness: the Iceberg snapshot summaries are, and the store can be rebuilt from them.
 * Implementations: SQLite (default), PostgreSQL, memory (tests).
 */

export type RunKind = 'load' | 'sync';
export type RunState = 'running' | 'succeeded' | 'failed' | 'partial' | 'abandoned';
export type TableState = 'pending' | 'loading' | 'loaded' | 'skipped' | 'failed' | 'syncing';
export type ChunkState = 'running' | 'done' | 'failed';

export interface RunRecord {
  readonly runId: string;
  readonly kind: RunKind;
  readonly state: RunState;
  readonly startedMs: number;
  readonly finishedMs: number | null;
  readonly host: string;
  readonly pid: number;
  readonly message: string | null; // final summary or the error that ended the run
}

export interface TableRecord {
  readonly runId: string;
  readonly source: string; // schema.table
  readonly target: string; // namespace.table
  readonly state: TableState;
  readonly rows: number;
  readonly bytes: number;
  readonly chunksDone: number;
  readonly chunksTotal: number;
  readonly startedMs: number | null;
  readonly finishedMs: number | null;
  readonly snapshotId: string | null; // Iceberg snapshot id (decimal string)
  readonly watermark: string | null; // source position of the load, e.g. LSN 0/16B3748
  readonly error: string | null;
}

export interface ChunkRecord {
  readonly runId: string;
  readonly target: string;
  readonly chunkId: string;
  readonly state: ChunkState;
  readonly rows: number;
  readonly bytes: number;
  readonly attempts: number;
  readonly durationMs: number | null;
  readonly error: string | null;
}

export interface StatusStore {
  /**
   * Starts a run and returns it (state running, this host and pid). Starting a run id that
   * exists (a resume) sets it running again, clears its end and message, and keeps its start time.
   */
  startRun(kind: RunKind, runId: string): Promise<RunRecord>;
  /** Inserts or replaces a whole run record, e.g. one rebuilt from Iceberg snapshot summaries. */
  putRun(record: RunRecord): Promise<void>;
  finishRun(runId: string, state: Exclude<RunState, 'running'>, message: string | null): Promise<void>;
  /**
   * Inserts or updates the table's row for this run; fields not given keep their value (a new
   * row starts pending, zero counts, source ''). NotFoundError when the run does not exist.
   */
  updateTable(runId: string, target: string, fields: Partial<Omit<TableRecord, 'runId' | 'target'>> & { source?: string }): Promise<void>;
  /** Inserts or updates a chunk's row (a new row starts running, zero counts); NotFoundError when the run does not exist. */
  updateChunk(runId: string, target: string, chunkId: string, fields: Partial<Omit<ChunkRecord, 'runId' | 'target' | 'chunkId'>>): Promise<void>;
  /** Most recent runs first. */
  listRuns(limit: number): Promise<RunRecord[]>;
  /** Tables of a run (the latest run when omitted), by target; [] when there is no such run. */
  listTables(runId?: string): Promise<TableRecord[]>;
  /** Per target, its row from the most recent run that touched it (by run start, then insertion), by target. */
  latestTables(): Promise<TableRecord[]>;
  /** Chunks of one table in one run, in the order they were first recorded. */
  listChunks(runId: string, target: string): Promise<ChunkRecord[]>;
  close(): Promise<void>;
}
