/**
 * Applying a batch of changes to one table: one atomic Iceberg commit with the new data files
 * and position deletes for every replaced or deleted row, then the key index. The effects
 * around plan-batch.ts: load, locate (key index), read carried-forward columns, write,
 * commit, record. The commit comes first and the index after, so a crash in between leaves an
 * index behind the table, which the next open catches up from the table. The index's SQLite
 * file lives in a thread of its own, behind a write-through cache (table-index.ts): a batch's
 * lookups are mostly cache hits, and its update is posted without waiting for it to persist.
 *
 * Fencing: a batch carrying a sync checkpoint (floe.kafka.offsets / floe.source.position) is
 * only committed while the table's newest checkpoint on main is the one this applier read at
 * open or made itself. Another sync's checkpoint means two syncs write one table; re-planning
 * over it would store stale offsets and could regress rows, so the applier stops with
 * ConcurrentSyncError instead. Commits without checkpoint keys (loads, compaction, other
 * engines) are re-planned over as before. Checkpoints are told apart by floe.commit-id, which
 * the floe.sync.checkpoint table property (set by every sync commit) keeps after the snapshot
 * carrying it expired, so the fence holds across snapshot expiry too.
 */
import { randomUUID } from 'node:crypto';
import type { Catalog } from '../../catalog/catalog.ts';
import { tableName } from '../../catalog/catalog.ts';
import { CommitConflictError, ConcurrentSyncError } from '../../core/errors.ts';
import type { Change } from '../../core/change.ts';
import type { EventBus } from '../../core/events.ts';
import type { FileIO } from '../../io/file-io.ts';
import type { DataFile, Row, Snapshot, TableIdentifier, TableMetadata } from '../../iceberg/spec/types.ts';
import type { RetryPolicy } from '../../iceberg/table/commit.ts';
import { currentSchema, currentSnapshot, defaultSpec } from '../../iceberg/table/metadata-access.ts';
import { deleteExpiredFiles, findExpiredFiles } from '../../iceberg/table/expired-files.ts';
import { planSnapshotExpiry, retentionOf, type SnapshotRetention } from '../../iceberg/table/snapshot-expiry-plan.ts';
import { commitChange, type CommittedSnapshot } from '../../iceberg/table/snapshot-producer.ts';
import { writePositionDeletes, writeRows } from '../../iceberg/table/table-writer.ts';
import { checkpointProperty, hasCheckpoint, loadWatermarkProperty, readCheckpoint, type Checkpoint } from './checkpoint.ts';
import { rowIdentity } from './key-encoding.ts';
import type { SyncResult } from './key-index-sync.ts';
import { collapseBatch, completeRows, planWrites, positionKey, type CollapsedBatch, type WritePlan } from './plan-batch.ts';
import { groupBy, readRowsAt } from './read-rows-at.ts';
import { TableIndex, type WarmResult } from './table-index.ts';
import { writtenPositions } from './written-positions.ts';

/** Options of `openTableApplier`. */
export interface TableApplierOptions {
  readonly catalog: Catalog;
  readonly io: FileIO;
  readonly id: TableIdentifier;
  /** The table's key index file (e.g. `<data dir>/index/<ns>.<table>.sqlite`); created when absent. */
  readonly indexPath: string;
  readonly events?: EventBus;
  readonly retry?: RetryPolicy;
  /** Re-plans after a concurrent writer moved the table (default 5). */
  readonly maxReplans?: number;
  /** Identities (with their positions) the main thread caches in front of the index (default 2 M; ~43 bytes each for a long key). */
  readonly cacheEntries?: number;
  /** `apply` waits for the index thread while more updated entries than this are not yet persisted (default 1 M). */
  readonly maxPendingIndexEntries?: number;
  readonly now?: () => number;
  /**
   * Expire old snapshots in the data commits (the table's history.expire.* properties override
   * these); undefined: never. The newest checkpoint's snapshot is kept; the load watermark
   * outlives its snapshot in a table property (checkpoint.ts LOAD_WATERMARK_PROPERTY).
   */
  readonly snapshotRetention?: SnapshotRetention;
}

/** Options of one `apply`. */
export interface ApplyOptions {
  /** Extra snapshot summary keys, e.g. checkpointSummary(...): stored atomically with the data. */
  readonly summary?: Readonly<Record<string, string>>;
  /** Unique id of this commit (default random); stored as floe.commit-id. */
  readonly commitId?: string;
  /**
   * Runs after the Iceberg commit landed and before the key index learns of it (a crash here
   * is caught up on the next open). For callers that act on a landed commit, and crash tests.
   */
  readonly beforeIndexUpdate?: (snapshot: Snapshot) => void | Promise<void>;
}

/** What one batch did; `snapshot` is null when the batch had nothing to commit. */
export interface ApplyResult {
  readonly snapshot: Snapshot | null;
  readonly inserted: number;
  readonly deleted: number;
  readonly missingDeletes: number;
  readonly replans: number;
  readonly ms: number;
  /**
   * Time per phase of the last plan, ms: locate (sync + cache and index lookups + plan), write
   * (reads + files), commit, index (cache update and posting the update to the index thread).
   */
  readonly phases: { readonly locate: number; readonly write: number; readonly commit: number; readonly index: number };
}

/** Applies batches to one table; holds its key index open. */
export interface TableApplier {
  /** Applies `changes` (this table's, in source order) as one commit. */
  apply(changes: readonly Change[], options?: ApplyOptions): Promise<ApplyResult>;
  /** How the index was brought to the table at open. */
  readonly opened: SyncResult;
  /** How the main thread's cache was filled from the index at open. */
  readonly warmed: WarmResult;
  /** Identities located since open: answered by the cache, and sent to the index thread. */
  readonly lookups: { readonly cached: number; readonly asked: number };
  /** Waits for expired files to be deleted and for the index thread to persist every update, then ends it; rejects with an index failure no `apply` reported. */
  close(): Promise<void>;
}

class BaseMoved extends Error {}

/** A checkpoint as the fence knows it: the commit that made it (its snapshot may have expired since). */
type CheckpointRef = Pick<Checkpoint, 'snapshotId' | 'commitId'>;

/** What tells checkpoints apart: the commit id (it outlives the snapshot), else the snapshot id. */
function identityOf(cp: CheckpointRef | null): string | null {
  return cp === null ? null : cp.commitId ?? `snapshot ${cp.snapshotId}`;
}

/** A checkpoint as ConcurrentSyncError names it. */
function describe(cp: CheckpointRef | null): string {
  if (cp === null) return 'none';
  if (cp.snapshotId === null) return `floe.commit-id ${cp.commitId ?? 'unknown'} (from floe.sync.checkpoint; its snapshot expired)`;
  return `snapshot ${cp.snapshotId} (floe.commit-id ${cp.commitId ?? 'unknown'})`;
}

/**
 * Throws ConcurrentSyncError unless the newest checkpoint of `metadata` is `expected` (null:
 * the table has none), the one this applier read at open or committed last.
 */
function assertCheckpointIs(table: string, metadata: TableMetadata, expected: CheckpointRef | null): void {
  const newest = readCheckpoint(metadata);
  if (identityOf(newest) === identityOf(expected)) return;
  throw new ConcurrentSyncError(
    `table ${table}: another floe sync moved the checkpoint: the newest on main is ${describe(newest)}, this sync expected ${describe(expected)}; ` +
      'two floe sync processes must not write one table: stop one of them (a restart resumes from the table\'s checkpoint)',
  );
}

/**
 * Opens the table's key index, brings it to the table's current snapshot (catch-up or rebuild),
 * warms the cache from it and starts its thread.
 */
export async function openTableApplier(options: TableApplierOptions): Promise<TableApplier> {
  const { catalog, io, id } = options;
  const name = tableName(id);
  let table = await catalog.loadTable(id);
  let identity = rowIdentity(currentSchema(table.metadata));
  const indexOptions = { indexPath: options.indexPath, io, name, cacheEntries: options.cacheEntries ?? 2_000_000, maxPendingEntries: options.maxPendingIndexEntries ?? 1_000_000 };
  const { index, opened, warmed } = await TableIndex.open(indexOptions, table.metadata, identity);
  /** The newest checkpoint as this applier knows it: read at open, then its own checkpoint commits. */
  let expectedCheckpoint: CheckpointRef | null = readCheckpoint(table.metadata);

  /** Reloads the table and brings the index to it (its row identity may have changed: schema evolution). */
  const refresh = async (): Promise<void> => {
    table = await catalog.loadTable(id);
    identity = rowIdentity(currentSchema(table.metadata));
    await index.resync(table.metadata, identity);
  };

  const retention = options.snapshotRetention;
  const now = options.now ?? Date.now;
  /** The snapshots to expire with a commit on `base`, keeping the newest checkpoint's. */
  const expire =
    retention === undefined
      ? undefined
      : (base: TableMetadata) => {
          const checkpoint = readCheckpoint(base)?.snapshotId;
          return planSnapshotExpiry(base, now(), retentionOf(base.properties, retention), new Set(checkpoint === undefined || checkpoint === null ? [] : [checkpoint]));
        };

  /** The deletion of expired snapshots' files in flight (cleanUpExpired never rejects). */
  let cleaning: Promise<void> = Promise.resolve();

  async function apply(changes: readonly Change[], applyOptions: ApplyOptions = {}): Promise<ApplyResult> {
    const started = performance.now();
    const commitId = applyOptions.commitId ?? randomUUID();
    const maxReplans = options.maxReplans ?? 5;
    const summary = applyOptions.summary ?? {};
    const fenced = hasCheckpoint(summary);
    for (let replans = 0; ; replans += 1) {
      const t0 = performance.now();
      if (replans > 0 || (currentSnapshot(table.metadata)?.snapshotId ?? null) !== index.snapshotId) await refresh();
      if (fenced) assertCheckpointIs(name, table.metadata, expectedCheckpoint);
      const batch = collapseBatch(changes, identity, name);
      const plan = planWrites(batch, await index.locate(batch));
      if (!plan.truncate && plan.deletes.length === 0 && plan.inserts.length === 0 && Object.keys(summary).length === 0) {
        const t = performance.now() - t0;
        return { snapshot: null, inserted: 0, deleted: 0, missingDeletes: plan.missingDeletes, replans, ms: performance.now() - started, phases: { locate: t, write: 0, commit: 0, index: 0 } };
      }
      const t1 = performance.now();
      const written = await writePlan(io, table.metadata, plan);
      const t2 = performance.now();
      const baseId = currentSnapshot(table.metadata)?.snapshotId ?? null;
      let committed: CommittedSnapshot;
      try {
        committed = await commitChange(
          catalog,
          io,
          id,
          {
            addedFiles: [...written.dataFiles, ...written.deleteFiles],
            ...(plan.truncate ? { removeAll: true } : {}),
            summary,
            // the checkpoint outlives its snapshot's expiry in a table property, set atomically with it
            // and so does the load watermark (the handoff), which lives in the load commit's summary
            ...(fenced ? { properties: { ...checkpointProperty(summary, commitId), ...loadWatermarkProperty(table.metadata) } } : {}),
            // Runs on the freshest metadata before each swap attempt: a checkpoint another sync
            // committed after the check above stops here. Positions name files and rows of the
            // base: another writer's commit may have moved them.
            validate: (current) => {
              if (fenced) assertCheckpointIs(name, current.metadata, expectedCheckpoint);
              if ((currentSnapshot(current.metadata)?.snapshotId ?? null) !== baseId) throw new BaseMoved();
            },
          },
          // base: the table as this applier's last commit or load left it (no metadata parse when no one else wrote)
          {
            commitId,
            base: table,
            ...(options.events ? { events: options.events } : {}),
            ...(options.retry ? { retry: options.retry } : {}),
            ...(options.now ? { now: options.now } : {}),
            ...(expire === undefined ? {} : { expire }),
          },
        );
      } catch (error) {
        // Other errors may hide a commit that landed: its files must stay (orphans are harmless).
        if (!(error instanceof BaseMoved || error instanceof ConcurrentSyncError)) throw error;
        await Promise.all([...written.dataFiles, ...written.deleteFiles].map((f) => io.delete(f.filePath).catch(() => undefined)));
        if (error instanceof ConcurrentSyncError) throw error;
        if (replans >= maxReplans) throw new CommitConflictError(`table ${name}: base moved under ${replans + 1} plans in a row; giving up`, { cause: error });
        continue;
      }
      table = committed.table;
      if (fenced) expectedCheckpoint = { snapshotId: committed.snapshot.snapshotId, commitId };
      // in the background, one at a time: reading the kept snapshots' manifest lists takes ~0.5 s
      // at 700 snapshots, which the next batch need not wait for (close does)
      if (committed.expired.snapshots.length > 0) cleaning = cleaning.then(() => cleanUpExpired(options, name, committed));
      const t3 = performance.now();
      await applyOptions.beforeIndexUpdate?.(committed.snapshot);
      index.record({
        fromSnapshotId: baseId,
        toSnapshotId: committed.snapshot.snapshotId,
        clear: plan.truncate,
        removed: plan.deletes,
        added: written.positions.map((position, i) => ({ id: plan.inserts[i]!.id, position })),
      });
      const t4 = performance.now();
      const ms = t4 - started;
      emitCommitted(options, name, batch, committed.snapshot, ms);
      const phases = { locate: t1 - t0, write: t2 - t1, commit: t3 - t2, index: t4 - t3 };
      return { snapshot: committed.snapshot, inserted: plan.inserts.length, deleted: plan.deletes.length, missingDeletes: plan.missingDeletes, replans, ms, phases };
    }
  }

  return {
    apply,
    opened,
    warmed,
    get lookups() {
      return index.lookups;
    },
    close: async () => {
      await cleaning;
      await index.close();
    },
  };
}

/** Deletes the files only the snapshots `committed` expired referenced; a failure leaves orphans, never stops the sync. */
async function cleanUpExpired(options: TableApplierOptions, table: string, committed: CommittedSnapshot): Promise<void> {
  const started = performance.now();
  let result: { deleted: number; failed: number };
  try {
    result = await deleteExpiredFiles(options.io, await findExpiredFiles(options.io, committed.table.metadata, committed.expired));
  } catch {
    result = { deleted: 0, failed: 1 }; // a manifest list could not be read: nothing deleted
  }
  options.events?.emit('sync:snapshots-expired', { table, snapshots: committed.expired.snapshots.length, filesDeleted: result.deleted, filesFailed: result.failed, ms: performance.now() - started });
}

function emitCommitted(options: TableApplierOptions, table: string, batch: CollapsedBatch, snapshot: Snapshot, ms: number): void {
  const now = (options.now ?? Date.now)();
  options.events?.emit('sync:batch-committed', {
    table,
    upserts: batch.counts.upserts,
    deletes: batch.counts.deletes,
    ms,
    snapshotId: snapshot.snapshotId,
    freshnessMs: batch.newestCommitTimeMs === null ? null : now - batch.newestCommitTimeMs,
  });
}

/** Reads the carried-forward columns, writes data and position delete files (uncommitted). */
async function writePlan(io: FileIO, metadata: TableMetadata, plan: WritePlan): Promise<{ dataFiles: DataFile[]; deleteFiles: DataFile[]; positions: ReturnType<typeof writtenPositions> }> {
  const rows = completeRows(plan, await readCurrentRows(io, metadata, plan));
  const dataFiles = rows.length === 0 ? [] : await writeRows(io, metadata, rows);
  const deleteFiles = plan.deletes.length === 0 ? [] : await writePositionDeletes(io, metadata, plan.deletes.map((d) => d.position));
  const positions = writtenPositions(defaultSpec(metadata), currentSchema(metadata), rows, dataFiles);
  return { dataFiles, deleteFiles, positions };
}

/** The live rows some insert carries columns from, only those columns, by `positionKey`. */
async function readCurrentRows(io: FileIO, metadata: TableMetadata, plan: WritePlan): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  if (plan.needsCurrentRow.length === 0) return out;
  const holeNames = new Set(plan.inserts.flatMap((p) => p.holes));
  const fields = currentSchema(metadata).fields.filter((f) => holeNames.has(f.name));
  for (const [path, positions] of groupBy(plan.needsCurrentRow, (p) => p.dataFile.filePath)) {
    const rows = await readRowsAt(io, path, fields, positions.map((p) => p.pos));
    for (const p of positions) {
      const row = rows.get(p.pos);
      if (row !== undefined) out.set(positionKey(p), row);
    }
  }
  return out;
}

/** Applies one batch with a short-lived applier: opens the index, applies, closes (waiting for the index to persist). */
export async function applyBatch(options: TableApplierOptions, changes: readonly Change[], applyOptions: ApplyOptions = {}): Promise<ApplyResult> {
  const applier = await openTableApplier(options);
  try {
    return await applier.apply(changes, applyOptions);
  } finally {
    await applier.close();
  }
}

