/**
 * Bringing a key index to a table's current snapshot. When the index is at an ancestor of it,
 * only the snapshots since are read (their added data files' identity columns, their added
 * position deletes): that is the crash-after-commit case and costs what those commits wrote.
 * When the index is unknown, missing, off the table's history (another writer rewrote it) or a
 * snapshot removed some but not all files (a compaction), it is rebuilt from a full scan.
 */
import type { FileIO } from '../../io/file-io.ts';
import { readManifestList } from '../../iceberg/manifest/manifest-list.ts';
import { readManifest } from '../../iceberg/manifest/manifest-reader.ts';
import { readPositionDeletes } from '../../iceberg/parquet/parquet-reader.ts';
import { EntryStatus, FileContent, ManifestContent, type DataFile, type NestedField, type Snapshot, type TableMetadata } from '../../iceberg/spec/types.ts';
import { currentSnapshot } from '../../iceberg/table/metadata-access.ts';
import { scanRowsWithPositions } from '../../iceberg/table/scan.ts';
import { identityOf, type RowIdentity } from './key-encoding.ts';
import type { IndexEntry, KeyIndex } from './key-index.ts';
import { readRowsAt } from './read-rows-at.ts';

/** How a sync went: nothing to do, caught up over `snapshots` commits, or rebuilt with `rows` entries. */
export type SyncResult =
  | { readonly mode: 'current' }
  | { readonly mode: 'caught-up'; readonly snapshots: number; readonly ms: number }
  | { readonly mode: 'rebuilt'; readonly rows: number; readonly ms: number; readonly reason: string };

/** What a sync needs of a key index (a KeyIndex, or one with a cache written through: key-cache.ts). */
export type SyncTarget = Pick<KeyIndex, 'snapshotId' | 'apply' | 'startRebuild' | 'addDuringRebuild' | 'finishRebuild'>;

/** Options of `syncKeyIndex`. */
export interface SyncOptions {
  /** Rebuild instead of catching up when the snapshots since add more rows than this (default 2 M): catch-up holds them in memory. */
  readonly maxCatchUpRows?: number;
  /** Rows per rebuild transaction (default 100 k). */
  readonly rebuildBatchRows?: number;
}

class NeedsRebuild extends Error {}

const readFields = (identity: RowIdentity): readonly NestedField[] => (identity.keyFields.length > 0 ? identity.keyFields : identity.fields);

/** Snapshots after `from` up to `to`, oldest first; undefined when `from` is not an ancestor of `to`. */
export function snapshotsSince(metadata: TableMetadata, from: bigint | null, to: Snapshot): Snapshot[] | undefined {
  const byId = new Map(metadata.snapshots.map((s) => [s.snapshotId, s]));
  const chain: Snapshot[] = [];
  let s: Snapshot | undefined = to;
  while (s !== undefined) {
    chain.push(s);
    const parent: bigint | null = s.parentSnapshotId ?? null;
    if (parent === from) return chain.reverse();
    if (parent === null) return undefined;
    s = byId.get(parent);
  }
  return undefined;
}

/** Brings `index` to the current snapshot of `metadata` (see module doc). `table` names it in errors. */
export async function syncKeyIndex(io: FileIO, metadata: TableMetadata, index: SyncTarget, identity: RowIdentity, table: string, options: SyncOptions = {}): Promise<SyncResult> {
  const started = performance.now();
  const target = currentSnapshot(metadata);
  const at = index.snapshotId;
  const targetId = target?.snapshotId ?? null;
  if (at !== undefined && at === targetId) return { mode: 'current' };
  let reason = at === undefined ? 'index missing or unknown' : `index snapshot ${String(at)} is not an ancestor of ${String(targetId)}`;
  const chain = at === undefined || target === undefined ? undefined : snapshotsSince(metadata, at, target);
  if (chain !== undefined) {
    try {
      const added = chain.reduce((n, s) => n + Number(s.summary['added-records'] ?? 0), 0);
      if (added > (options.maxCatchUpRows ?? 2_000_000)) throw new NeedsRebuild(`${added} rows added since the index snapshot`);
      let from = at ?? null;
      for (const snapshot of chain) {
        await catchUpOne(io, index, identity, table, snapshot, from);
        from = snapshot.snapshotId;
      }
      return { mode: 'caught-up', snapshots: chain.length, ms: performance.now() - started };
    } catch (error) {
      if (!(error instanceof NeedsRebuild)) throw error;
      reason = error.message;
    }
  }
  const rows = await rebuild(io, metadata, index, identity, table, options.rebuildBatchRows ?? 100_000);
  return { mode: 'rebuilt', rows, ms: performance.now() - started, reason };
}

/** Entries a snapshot added and removed (by this snapshot's id), read from its manifests. */
async function changedFiles(io: FileIO, snapshot: Snapshot): Promise<{ added: DataFile[]; removedData: number; liveOlderData: number }> {
  const added: DataFile[] = [];
  let removedData = 0;
  let liveOlderData = 0;
  for (const manifest of await readManifestList(io, snapshot.manifestList)) {
    if (manifest.addedSnapshotId !== snapshot.snapshotId) {
      if (manifest.content === ManifestContent.Data) liveOlderData += manifest.addedFilesCount + manifest.existingFilesCount;
      continue;
    }
    for (const e of await readManifest(io, manifest)) {
      const mine = e.snapshotId === snapshot.snapshotId;
      if (mine && e.status === EntryStatus.Added) added.push(e.dataFile);
      else if (mine && e.status === EntryStatus.Deleted && e.dataFile.content === FileContent.Data) removedData += 1;
      else if (e.status === EntryStatus.Existing && e.dataFile.content === FileContent.Data) liveOlderData += 1;
    }
  }
  return { added, removedData, liveOlderData };
}

async function catchUpOne(io: FileIO, index: SyncTarget, identity: RowIdentity, table: string, snapshot: Snapshot, from: bigint | null): Promise<void> {
  const { added, removedData, liveOlderData } = await changedFiles(io, snapshot);
  // floe removes data files only to truncate (all of them); anything else is another writer's rewrite.
  const clear = removedData > 0;
  if (clear && liveOlderData > 0) throw new NeedsRebuild(`snapshot ${snapshot.snapshotId} removed ${removedData} data files but kept others`);
  const dataFiles = added.filter((f) => f.content === FileContent.Data);
  const deleted = new Map<string, Set<number>>();
  for (const f of added) {
    if (f.content === FileContent.EqualityDeletes) throw new NeedsRebuild(`snapshot ${snapshot.snapshotId} added equality deletes`);
    if (f.content !== FileContent.PositionDeletes) continue;
    for (const d of await readPositionDeletes(io, f.filePath)) {
      const set = deleted.get(d.filePath) ?? new Set<number>();
      set.add(Number(d.pos));
      deleted.set(d.filePath, set);
    }
  }
  const fields = readFields(identity);
  const newPaths = new Set(dataFiles.map((f) => f.filePath));
  const removed: { id: Uint8Array; filePath: string; pos: number }[] = [];
  if (!clear) {
    for (const [path, positions] of deleted) {
      if (newPaths.has(path)) continue;
      for (const [pos, row] of await readRowsAt(io, path, fields, positions)) removed.push({ id: identityOf(identity, row, table), filePath: path, pos });
    }
  }
  const entries: IndexEntry[] = [];
  for (const dataFile of dataFiles) {
    const gone = deleted.get(dataFile.filePath);
    const positions = Array.from({ length: dataFile.recordCount }, (_, i) => i).filter((i) => gone?.has(i) !== true);
    for (const [pos, row] of await readRowsAt(io, dataFile.filePath, fields, positions)) entries.push({ id: identityOf(identity, row, table), dataFile, pos });
  }
  index.apply({ fromSnapshotId: from, toSnapshotId: snapshot.snapshotId, clear, removed, added: entries });
}

async function rebuild(io: FileIO, metadata: TableMetadata, index: SyncTarget, identity: RowIdentity, table: string, batchRows: number): Promise<number> {
  index.startRebuild();
  const columns = readFields(identity).map((f) => f.name);
  let pending: IndexEntry[] = [];
  let rows = 0;
  const target = currentSnapshot(metadata);
  if (target !== undefined) {
    for await (const batch of scanRowsWithPositions(io, metadata, { snapshotId: target.snapshotId, columns })) {
      for (const { row, position } of batch) pending.push({ id: identityOf(identity, row, table), dataFile: position.dataFile, pos: position.pos });
      if (pending.length >= batchRows) {
        index.addDuringRebuild(pending);
        rows += pending.length;
        pending = [];
      }
    }
  }
  index.addDuringRebuild(pending);
  rows += pending.length;
  index.finishRebuild(target?.snapshotId ?? null);
  return rows;
}

