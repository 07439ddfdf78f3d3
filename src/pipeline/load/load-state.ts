/**
 * A bulk load as the Iceberg table records it (the table is the source of truth): each chunk
 * is one snapshot on the branch `floe-load-<loadId>` whose summary names the load, the chunk,
 * its range, the watermark and the plan file. Pure functions over table metadata.
 */
import type { ChunkRange } from '../../sources/postgres/chunk-plan.ts';
import type { Snapshot, TableMetadata } from '../../iceberg/spec/types.ts';

/** Summary and property keys floe's bulk load writes. */
export const LOAD_KEYS = {
  loadId: 'floe.load.run-id', // the load this snapshot belongs to (= branch suffix)
  chunk: 'floe.load.chunk', // chunk id within the plan
  chunkRange: 'floe.load.chunk-range', // JSON ChunkRange, for people and verify
  plan: 'floe.load.plan', // URI of the plan file
  lsn: 'floe.source.lsn', // the table's watermark: WAL position before the load's first snapshot
  pgSnapshot: 'floe.source.pg-snapshot', // pg_current_snapshot() of the load's first snapshot
  chunkLsn: 'floe.load.chunk-lsn', // watermark of the snapshot this chunk was read in (differs after a resume)
  chunkPgSnapshot: 'floe.load.chunk-pg-snapshot',
  completeRun: 'floe.load.complete-run', // table property: the load whose result main shows
  primaryKey: 'floe.primary-key', // table property: JSON list of key columns, [] = keyless
  source: 'floe.source', // table property: source name and schema.table
} as const;

export const BRANCH_PREFIX = 'floe-load-';

/** Branch name of a load. */
export function loadBranch(loadId: string): string {
  return `${BRANCH_PREFIX}${loadId}`;
}

/** Position of the source the loaded data reflects. */
export interface Watermark {
  readonly lsn: string;
  readonly pgSnapshot: string;
}

/** The plan of a load, stored once as JSON next to the table metadata. */
export interface LoadPlan {
  readonly format: 1;
  readonly loadId: string;
  readonly strategy: 'pk' | 'ctid';
  readonly keyColumns: readonly string[];
  readonly columns: readonly string[]; // loaded source columns, in order
  readonly schemaId: number;
  readonly reload: boolean; // the first chunk commit replaces main's data
  readonly watermark: Watermark;
  readonly chunks: readonly { readonly id: string; readonly range: ChunkRange }[];
}

/** Summary keys of one chunk's snapshot. */
export function chunkSummary(plan: LoadPlan, planPath: string, chunkId: string, range: ChunkRange, readAt: Watermark): Record<string, string> {
  return {
    [LOAD_KEYS.loadId]: plan.loadId,
    [LOAD_KEYS.chunk]: chunkId,
    [LOAD_KEYS.chunkRange]: JSON.stringify(range),
    [LOAD_KEYS.plan]: planPath,
    [LOAD_KEYS.lsn]: plan.watermark.lsn,
    [LOAD_KEYS.pgSnapshot]: plan.watermark.pgSnapshot,
    [LOAD_KEYS.chunkLsn]: readAt.lsn,
    [LOAD_KEYS.chunkPgSnapshot]: readAt.pgSnapshot,
  };
}

/** A load in progress as found on its branch. */
export interface BranchLoad {
  readonly branch: string;
  readonly loadId: string;
  readonly headSnapshotId: bigint;
  readonly headTimestampMs: number;
  readonly planPath: string | undefined;
  /** Chunks committed on the branch: id → rows added. */
  readonly done: ReadonlyMap<string, number>;
}

function byId(metadata: TableMetadata): Map<bigint, Snapshot> {
  return new Map(metadata.snapshots.map((s) => [s.snapshotId, s]));
}

/** Chunk ids committed on `branch` by `loadId`, walking from its head back to where the branch left main. */
export function doneChunks(metadata: TableMetadata, headSnapshotId: bigint, loadId: string): Map<string, number> {
  const snapshots = byId(metadata);
  const done = new Map<string, number>();
  for (let s = snapshots.get(headSnapshotId); s !== undefined && s.summary[LOAD_KEYS.loadId] === loadId; ) {
    const chunk = s.summary[LOAD_KEYS.chunk];
    if (chunk !== undefined) done.set(chunk, (done.get(chunk) ?? 0) + Number(s.summary['added-records'] ?? 0));
    s = s.parentSnapshotId === undefined ? undefined : snapshots.get(s.parentSnapshotId);
  }
  return done;
}

/** Every `floe-load-*` branch of the table, newest head first. */
export function branchLoads(metadata: TableMetadata): BranchLoad[] {
  const snapshots = byId(metadata);
  const out: BranchLoad[] = [];
  for (const [branch, ref] of Object.entries(metadata.refs)) {
    if (!branch.startsWith(BRANCH_PREFIX) || ref.type !== 'branch') continue;
    const head = snapshots.get(ref.snapshotId);
    const loadId = branch.slice(BRANCH_PREFIX.length);
    out.push({
      branch,
      loadId,
      headSnapshotId: ref.snapshotId,
      headTimestampMs: head?.timestampMs ?? 0,
      planPath: head?.summary[LOAD_KEYS.loadId] === loadId ? head.summary[LOAD_KEYS.plan] : undefined,
      done: doneChunks(metadata, ref.snapshotId, loadId),
    });
  }
  return out.sort((a, b) => b.headTimestampMs - a.headTimestampMs);
}

/** Plan chunks not yet committed, in plan order: the complement of what the branch holds. */
export function remainingChunks(plan: LoadPlan, done: ReadonlyMap<string, number>): LoadPlan['chunks'] {
  return plan.chunks.filter((c) => !done.has(c.id));
}

/** Parses and checks a plan file's JSON; throws naming `path` when it is not a plan. */
export function parsePlan(text: string, path: string): LoadPlan {
  let plan: LoadPlan;
  try {
    plan = JSON.parse(text) as LoadPlan;
  } catch (error) {
    throw new Error(`load plan ${path}: not JSON: ${(error as Error).message}`);
  }
  const ok =
    plan?.format === 1 && typeof plan.loadId === 'string' && (plan.strategy === 'pk' || plan.strategy === 'ctid') &&
    Array.isArray(plan.keyColumns) && Array.isArray(plan.columns) && Array.isArray(plan.chunks) &&
    typeof plan.watermark?.lsn === 'string' && typeof plan.watermark?.pgSnapshot === 'string' &&
    plan.chunks.every((c) => typeof c.id === 'string' && typeof c.range?.kind === 'string');
  if (!ok) throw new Error(`load plan ${path}: not a floe load plan (format 1)`);
  return plan;
}

/** True when main shows a completed load and no load is staged: a rerun has nothing to do. */
export function isLoaded(metadata: TableMetadata): boolean {
  const completed = metadata.properties[LOAD_KEYS.completeRun];
  return completed !== undefined && metadata.refs[loadBranch(completed)] === undefined && branchLoads(metadata).length === 0;
}

/** The snapshot a load's branch grew from (main's snapshot when the load began; null: empty table). */
export function branchBase(metadata: TableMetadata, headSnapshotId: bigint, loadId: string): bigint | null {
  const snapshots = byId(metadata);
  let s = snapshots.get(headSnapshotId);
  while (s !== undefined && s.summary[LOAD_KEYS.loadId] === loadId) {
    if (s.parentSnapshotId === undefined) return null;
    const parent = snapshots.get(s.parentSnapshotId);
    if (parent === undefined || parent.summary[LOAD_KEYS.loadId] !== loadId) return s.parentSnapshotId;
    s = parent;
  }
  return null;
}
