/**
 * Rebuilds the status store's rows from the Iceberg tables, which are the source of truth: each
 * bulk-load chunk is a snapshot whose summary names its run (`floe.load.run-id`), chunk, rows
 * and watermark; a staged load lives on the branch `floe-load-<run>`; the table property
 * `floe.load.complete-run` names the load main shows. `planRebuild` is pure; `rebuildStatus`
 * reads the tables (and staged loads' plan files, for their chunk totals) and writes the store.
 * CDC commits are not turned into runs: `floe status` shows them from the table itself.
 */
import type { Catalog } from '../catalog/catalog.ts';
import { tableName } from '../catalog/catalog.ts';
import { NotFoundError } from '../core/errors.ts';
import type { Snapshot, TableIdentifier, TableMetadata } from '../iceberg/spec/types.ts';
import type { FileIO } from '../io/file-io.ts';
import { fileIOFor } from '../io/registry.ts';
import type { ChunkRecord, RunRecord, StatusStore, TableRecord } from './status-store.ts';

/** Summary and property keys the bulk load writes (the same as pipeline/load/load-state.ts). */
export const REBUILD_KEYS = {
  runId: 'floe.load.run-id',
  chunk: 'floe.load.chunk',
  plan: 'floe.load.plan',
  lsn: 'floe.source.lsn',
  pgSnapshot: 'floe.source.pg-snapshot',
  completeRun: 'floe.load.complete-run',
} as const;
export const LOAD_BRANCH_PREFIX = 'floe-load-';

/** One target table as read from the catalog. */
export interface RebuildInput {
  readonly target: string; // namespace.table
  readonly source: string; // schema.table, from the config
  readonly metadata: TableMetadata;
}

/** What to write: whole records. */
export interface RebuildPlan {
  readonly runs: RunRecord[];
  readonly tables: TableRecord[];
  readonly chunks: ChunkRecord[];
  /** Plan files of staged loads whose chunk count is unknown yet: run id → plan URI. */
  readonly planFiles: Map<string, string>;
}

const num = (v: string | undefined): number => (v === undefined || !/^\d+$/.test(v) ? 0 : Number(v));

/** Snapshot ids reachable from main's head through parents. */
function mainLine(metadata: TableMetadata, byId: Map<bigint, Snapshot>): Set<bigint> {
  const seen = new Set<bigint>();
  let id: bigint | null | undefined = metadata.refs.main?.snapshotId ?? metadata.currentSnapshotId;
  while (id !== null && id !== undefined && !seen.has(id)) {
    seen.add(id);
    id = byId.get(id)?.parentSnapshotId;
  }
  return seen;
}

/** The table and chunk rows of one run's snapshots in one table. */
function tableRun(input: RebuildInput, runId: string, snaps: Snapshot[], onMain: Set<bigint>, chunkTotals: ReadonlyMap<string, number>): { table: TableRecord; chunks: ChunkRecord[]; loaded: boolean } {
  const { metadata, target } = input;
  snaps.sort((a, b) => a.sequenceNumber - b.sequenceNumber || a.timestampMs - b.timestampMs);
  const head = snaps.at(-1)!;
  const chunkMap = new Map<string, ChunkRecord>();
  for (const s of snaps) {
    const id = s.summary[REBUILD_KEYS.chunk];
    if (id === undefined) continue;
    const prev = chunkMap.get(id);
    chunkMap.set(id, {
      runId, target, chunkId: id, state: 'done', attempts: 1, durationMs: null, error: null,
      rows: (prev?.rows ?? 0) + num(s.summary['added-records']), bytes: (prev?.bytes ?? 0) + num(s.summary['added-files-size']),
    });
  }
  const chunks = [...chunkMap.values()];
  const staged = metadata.refs[`${LOAD_BRANCH_PREFIX}${runId}`] !== undefined;
  const loaded = !staged && (metadata.properties[REBUILD_KEYS.completeRun] === runId || snaps.some((s) => onMain.has(s.snapshotId)));
  const published = metadata.snapshotLog.find((e) => e.snapshotId === head.snapshotId)?.timestampMs;
  const table: TableRecord = {
    runId, target, source: input.source,
    state: loaded ? 'loaded' : staged ? 'loading' : 'failed',
    rows: chunks.reduce((n, c) => n + c.rows, 0), bytes: chunks.reduce((n, c) => n + c.bytes, 0),
    chunksDone: chunks.length, chunksTotal: loaded ? chunks.length : (chunkTotals.get(runId) ?? chunks.length),
    startedMs: snaps[0]!.timestampMs, finishedMs: loaded ? (published ?? head.timestampMs) : null,
    snapshotId: head.snapshotId.toString(), watermark: head.summary[REBUILD_KEYS.lsn] ?? null,
    error: loaded ? null : staged ? `interrupted: ${chunks.length} chunks staged on branch ${LOAD_BRANCH_PREFIX}${runId}; floe load resumes it` : 'abandoned: its branch is gone and main does not show it',
  };
  return { table, chunks, loaded };
}

/**
 * Records for every load run found in `inputs`. `chunkTotals` (run id → plan chunk count)
 * fills the totals of staged loads; without it they show the chunks done.
 */
export function planRebuild(inputs: readonly RebuildInput[], chunkTotals: ReadonlyMap<string, number> = new Map()): RebuildPlan {
  const tables: TableRecord[] = [];
  const chunks: ChunkRecord[] = [];
  const planFiles = new Map<string, string>();
  const runs = new Map<string, { start: number; end: number; allLoaded: boolean; staged: string[]; tables: number }>();
  for (const input of inputs) {
    const byId = new Map(input.metadata.snapshots.map((s) => [s.snapshotId, s]));
    const onMain = mainLine(input.metadata, byId);
    const groups = new Map<string, Snapshot[]>();
    for (const s of input.metadata.snapshots) {
      const runId = s.summary[REBUILD_KEYS.runId];
      if (runId !== undefined) groups.set(runId, [...(groups.get(runId) ?? []), s]);
    }
    for (const [runId, snaps] of groups) {
      const r = tableRun(input, runId, snaps, onMain, chunkTotals);
      tables.push(r.table);
      chunks.push(...r.chunks);
      const plan = snaps.find((s) => s.summary[REBUILD_KEYS.plan] !== undefined)?.summary[REBUILD_KEYS.plan];
      if (r.table.state === 'loading' && plan !== undefined && !chunkTotals.has(runId)) planFiles.set(runId, plan);
      const run = runs.get(runId) ?? { start: Infinity, end: 0, allLoaded: true, staged: [], tables: 0 };
      run.start = Math.min(run.start, r.table.startedMs!);
      run.end = Math.max(run.end, r.table.finishedMs ?? 0);
      run.allLoaded &&= r.loaded;
      if (r.table.state === 'loading') run.staged.push(input.target);
      run.tables += 1;
      runs.set(runId, run);
    }
  }
  const runRecords: RunRecord[] = [...runs].map(([runId, r]) => ({
    runId, kind: 'load', state: r.allLoaded ? 'succeeded' : 'abandoned', startedMs: r.start,
    finishedMs: r.allLoaded ? r.end : null, host: '', pid: 0,
    message: `rebuilt from Iceberg snapshot summaries (${r.tables} table${r.tables === 1 ? '' : 's'})${r.staged.length > 0 ? `; staged, resumable: ${r.staged.join(', ')}` : ''}`,
  }));
  return { runs: runRecords, tables, chunks, planFiles };
}

/** What a rebuild wrote and what it could not see. */
export interface RebuildReport {
  readonly runs: number;
  readonly tables: number;
  readonly chunks: number;
  readonly missing: string[]; // configured targets absent from the catalog
  readonly keptRunning: string[]; // runs the store shows running: left as they are
}

/** Chunk count of a load plan file (JSON with a `chunks` array), or undefined when unreadable. */
async function planChunkCount(uri: string, io: (uri: string) => FileIO): Promise<number | undefined> {
  try {
    const plan = JSON.parse(new TextDecoder().decode(await io(uri).read(uri))) as { chunks?: unknown };
    return Array.isArray(plan.chunks) ? plan.chunks.length : undefined;
  } catch {
    return undefined; // the plan is for people here: a missing file only leaves the total unknown
  }
}

/** Reads each target from the catalog and upserts the rebuilt runs, tables and chunks into `store`. */
export async function rebuildStatus(options: {
  catalog: Catalog;
  store: StatusStore;
  targets: readonly { id: TableIdentifier; source: string }[];
  io?: (uri: string) => FileIO;
}): Promise<RebuildReport> {
  const io = options.io ?? fileIOFor;
  const inputs: RebuildInput[] = [];
  const missing: string[] = [];
  for (const t of options.targets) {
    try {
      inputs.push({ target: tableName(t.id), source: t.source, metadata: (await options.catalog.loadTable(t.id)).metadata });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      missing.push(tableName(t.id));
    }
  }
  const first = planRebuild(inputs);
  const totals = new Map<string, number>();
  for (const [runId, uri] of first.planFiles) {
    const n = await planChunkCount(uri, io);
    if (n !== undefined) totals.set(runId, n);
  }
  const plan = totals.size > 0 ? planRebuild(inputs, totals) : first;
  const running = new Set((await options.store.listRuns(1_000_000)).filter((r) => r.state === 'running').map((r) => r.runId));
  const keep = (runId: string) => !running.has(runId);
  for (const run of plan.runs.filter((r) => keep(r.runId))) await options.store.putRun(run);
  for (const { runId, target, ...fields } of plan.tables.filter((t) => keep(t.runId))) await options.store.updateTable(runId, target, fields);
  for (const { runId, target, chunkId, ...fields } of plan.chunks.filter((c) => keep(c.runId))) await options.store.updateChunk(runId, target, chunkId, fields);
  return {
    runs: plan.runs.filter((r) => keep(r.runId)).length,
    tables: plan.tables.filter((t) => keep(t.runId)).length,
    chunks: plan.chunks.filter((c) => keep(c.runId)).length,
    missing,
    keptRunning: plan.runs.map((r) => r.runId).filter((id) => running.has(id)),
  };
}
