/**
 * Pure helpers every status store shares: the values a new table or chunk row starts with,
 * merging a partial update into a row, and the record field → SQL column tables the SQL
 * stores build their statements from (identifiers are fixed here, never taken from input).
 */
import type { ChunkRecord, RunRecord, TableRecord } from './status-store.ts';

export type TableFields = Partial<Omit<TableRecord, 'runId' | 'target'>>;
export type ChunkFields = Partial<Omit<ChunkRecord, 'runId' | 'target' | 'chunkId'>>;

/** Record field → column, for runs. */
export const RUN_COLUMNS = {
  runId: 'run_id',
  kind: 'kind',
  state: 'state',
  startedMs: 'started_ms',
  finishedMs: 'finished_ms',
  host: 'host',
  pid: 'pid',
  message: 'message',
} as const satisfies Record<keyof RunRecord, string>;

/** Record field → column, for tables. */
export const TABLE_COLUMNS = {
  runId: 'run_id',
  target: 'target',
  source: 'source',
  state: 'state',
  rows: 'rows',
  bytes: 'bytes',
  chunksDone: 'chunks_done',
  chunksTotal: 'chunks_total',
  startedMs: 'started_ms',
  finishedMs: 'finished_ms',
  snapshotId: 'snapshot_id',
  watermark: 'watermark',
  error: 'error',
} as const satisfies Record<keyof TableRecord, string>;

/** Record field → column, for chunks. */
export const CHUNK_COLUMNS = {
  runId: 'run_id',
  target: 'target',
  chunkId: 'chunk_id',
  state: 'state',
  rows: 'rows',
  bytes: 'bytes',
  attempts: 'attempts',
  durationMs: 'duration_ms',
  error: 'error',
} as const satisfies Record<keyof ChunkRecord, string>;

/** A table row as first recorded: pending, zero counts, no source, nothing known yet. */
export function newTableRecord(runId: string, target: string): TableRecord {
  return {
    runId, target, source: '', state: 'pending', rows: 0, bytes: 0, chunksDone: 0, chunksTotal: 0,
    startedMs: null, finishedMs: null, snapshotId: null, watermark: null, error: null,
  };
}

/** A chunk row as first recorded: running, zero counts, no attempt counted yet. */
export function newChunkRecord(runId: string, target: string, chunkId: string): ChunkRecord {
  return { runId, target, chunkId, state: 'running', rows: 0, bytes: 0, attempts: 0, durationMs: null, error: null };
}

/** `fields` without keys whose value is undefined (explicit null is kept: it clears a field). */
export function definedFields<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `base` with the given fields replaced; identity fields (run, target, chunk) never change. */
export function mergeTable(base: TableRecord, fields: TableFields): TableRecord {
  return { ...base, ...definedFields(fields), runId: base.runId, target: base.target };
}

/** `base` with the given fields replaced; identity fields never change. */
export function mergeChunk(base: ChunkRecord, fields: ChunkFields): ChunkRecord {
  return { ...base, ...definedFields(fields), runId: base.runId, target: base.target, chunkId: base.chunkId };
}

type Row = Record<string, unknown>;

/** A number from a SQL value (`pg` returns BIGINT as a string); null stays null. */
export function toNumberOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'number' ? value : Number(value);
}

/** A RunRecord from a SQL row with RUN_COLUMNS names. */
export function runFromRow(r: Row): RunRecord {
  return {
    runId: String(r.run_id), kind: r.kind as RunRecord['kind'], state: r.state as RunRecord['state'],
    startedMs: Number(r.started_ms), finishedMs: toNumberOrNull(r.finished_ms), host: String(r.host),
    pid: Number(r.pid), message: (r.message as string | null) ?? null,
  };
}

/** A TableRecord from a SQL row with TABLE_COLUMNS names. */
export function tableFromRow(r: Row): TableRecord {
  return {
    runId: String(r.run_id), target: String(r.target), source: String(r.source), state: r.state as TableRecord['state'],
    rows: Number(r.rows), bytes: Number(r.bytes), chunksDone: Number(r.chunks_done), chunksTotal: Number(r.chunks_total),
    startedMs: toNumberOrNull(r.started_ms), finishedMs: toNumberOrNull(r.finished_ms),
    snapshotId: (r.snapshot_id as string | null) ?? null, watermark: (r.watermark as string | null) ?? null,
    error: (r.error as string | null) ?? null,
  };
}

/** A ChunkRecord from a SQL row with CHUNK_COLUMNS names. */
export function chunkFromRow(r: Row): ChunkRecord {
  return {
    runId: String(r.run_id), target: String(r.target), chunkId: String(r.chunk_id), state: r.state as ChunkRecord['state'],
    rows: Number(r.rows), bytes: Number(r.bytes), attempts: Number(r.attempts),
    durationMs: toNumberOrNull(r.duration_ms), error: (r.error as string | null) ?? null,
  };
}
