/**
 * Snapshot producers: append, overwrite (replace files), row delta (data files + position
 * deletes in one snapshot) and delete-all (truncate), all through one path. New files are
 * written into manifests once; each commit attempt then rebuilds only the manifest list on the
 * freshest base, carrying over untouched manifests and rewriting those that lose files, then
 * merges small manifests as Java does (commit.manifest* table properties, manifest-merge-plan.ts)
 * so the list stays bounded however many snapshots are committed.
 */
import { randomUUID } from 'node:crypto';
import type { Catalog, LoadedTable } from '../../catalog/catalog.ts';
import type { EventBus } from '../../core/events.ts';
import type { FileIO } from '../../io/file-io.ts';
import { readManifestList, writeManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import { writeManifest } from '../manifest/manifest-writer.ts';
import {
  EntryStatus,
  FileContent,
  ManifestContent,
  type DataFile,
  type ManifestEntry,
  type ManifestFile,
  type Snapshot,
  type SnapshotOperation,
  type TableIdentifier,
  type TableMetadata,
} from '../spec/types.ts';
import { COMMIT_ID_KEY, commitWithRetry, type CommitPlan, type RetryPolicy } from './commit.ts';
import { currentSchema, currentSnapshot, snapshotById, specById } from './metadata-access.ts';
import { manifestMergeSettings, planManifestMerge } from './manifest-merge-plan.ts';
import { historyIsLinear, type SnapshotExpiryPlan } from './snapshot-expiry-plan.ts';
import { buildSummary } from './snapshot-summary.ts';

export interface ChangeSet {
  /** New data and position-delete files, each with the spec id it was written for. */
  readonly addedFiles: readonly DataFile[];
  /** Files to remove from the table (matched by path); they must still be live. */
  readonly removedFiles?: readonly DataFile[];
  /** Remove every live file (truncate). */
  readonly removeAll?: boolean;
  /** Defaults to what the change does: append, delete or overwrite. */
  readonly operation?: SnapshotOperation;
  /** Extra summary keys, e.g. source positions; floe's own keys start with `floe.`. */
  readonly summary?: Readonly<Record<string, string>>;
  /** Table properties to set in the same atomic metadata commit as the snapshot (e.g. a sync checkpoint). */
  readonly properties?: Readonly<Record<string, string>>;
  /**
   * Called with the base of every attempt before anything is committed; throw to abandon the
   * commit (e.g. a concurrent writer changed rows this change depends on).
   */
  readonly validate?: (base: LoadedTable) => void;
  /**
   * Branch to commit to (default main). A branch that does not exist yet starts from main's
   * current snapshot, so work can be staged there and published to main in one step.
   */
  readonly branch?: string;
}

export interface ProduceOptions {
  readonly commitId?: string;
  /** The table as the caller last saw it, for the first attempt (see CommitOptions.base). */
  readonly base?: LoadedTable;
  readonly retry?: RetryPolicy;
  readonly events?: EventBus;
  readonly now?: () => number;
  /**
   * Snapshots to expire in the same metadata commit, planned on each attempt's base
   * (snapshot-expiry-plan.ts); their files are the caller's to clean up (expired-files.ts).
   */
  readonly expire?: (base: TableMetadata) => SnapshotExpiryPlan;
}

export interface CommittedSnapshot {
  readonly table: LoadedTable;
  readonly snapshot: Snapshot;
  /**
   * Snapshots the commit expired (ProduceOptions.expire); `onMain`: those that were ancestors of
   * main's head; `linear`: the history the commit left is one line (historyIsLinear).
   */
  readonly expired: { readonly snapshots: readonly Snapshot[]; readonly onMain: ReadonlySet<bigint>; readonly linear: boolean };
}

/** A positive random 63-bit snapshot id. */
export function newSnapshotId(): bigint {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  bytes[0] = bytes[0]! & 0x7f;
  const id = new DataView(bytes.buffer).getBigUint64(0);
  return id === 0n ? 1n : id;
}

/** The operation Iceberg engines would name for a change. */
export function deriveOperation(change: ChangeSet): SnapshotOperation {
  if (change.operation !== undefined) return change.operation;
  const addsData = change.addedFiles.some((f) => f.content === FileContent.Data);
  const addsDeletes = change.addedFiles.some((f) => f.content !== FileContent.Data);
  const removes = change.removeAll === true || (change.removedFiles?.length ?? 0) > 0;
  if (!removes && !addsDeletes) return 'append';
  if (!addsData && !addsDeletes) return 'delete';
  return 'overwrite';
}

/** Commits `change` as one new snapshot on its branch (main by default), retrying lost races. */
export async function commitChange(
  catalog: Catalog,
  io: FileIO,
  id: TableIdentifier,
  change: ChangeSet,
  options: ProduceOptions = {},
): Promise<CommittedSnapshot> {
  const commitId = options.commitId ?? randomUUID();
  const snapshotId = newSnapshotId();
  const operation = deriveOperation(change);
  const now = options.now ?? Date.now;
  let newManifests: ManifestFile[] | undefined;
  let built: Snapshot | undefined;
  /** Every snapshot an attempt planned to expire (the committed metadata tells which went), and which were on main. */
  const planned = new Map<bigint, Snapshot>();
  const plannedOnMain = new Set<bigint>();

  const build = async (base: LoadedTable, attempt: number): Promise<CommitPlan> => {
    change.validate?.(base);
    const metadata = base.metadata;
    newManifests ??= await writeAddedManifests(io, metadata, snapshotId, commitId, change.addedFiles);
    const branch = change.branch ?? 'main';
    const branchHead = metadata.refs[branch]?.snapshotId;
    const parent = branchHead === undefined ? currentSnapshot(metadata) : snapshotById(metadata, branchHead);
    const carried = await carryManifests(io, metadata, parent, snapshotId, commitId, change);
    const sequenceNumber = metadata.lastSequenceNumber + 1;
    const manifests = await mergeManifests(io, metadata, snapshotId, `${commitId}-a${attempt}`, [...newManifests, ...carried.manifests]);
    const manifestList = `${metadata.location}/metadata/snap-${snapshotId}-${attempt}-${commitId}.avro`;
    await writeManifestList(io, manifestList, {
      snapshotId,
      parentSnapshotId: parent?.snapshotId ?? null,
      sequenceNumber,
      manifests,
    });
    const summary = buildSummary(operation, { addedFiles: change.addedFiles, removedFiles: carried.removed }, parent?.summary, {
      ...change.summary,
      [COMMIT_ID_KEY]: commitId,
    });
    built = {
      snapshotId,
      ...(parent === undefined ? {} : { parentSnapshotId: parent.snapshotId }),
      sequenceNumber,
      timestampMs: Math.max(now(), metadata.lastUpdatedMs + 1),
      manifestList,
      summary,
      schemaId: metadata.currentSchemaId,
    };
    const expiry = options.expire?.(metadata);
    for (const x of expiry?.expire ?? []) planned.set(x.snapshotId, x);
    for (const id of expiry?.onMain ?? []) plannedOnMain.add(id);
    return {
      requirements: [
        { type: 'assert-table-uuid', uuid: metadata.tableUuid },
        { type: 'assert-ref-snapshot-id', ref: branch, snapshotId: branchHead ?? null },
        ...(branch === 'main' || branchHead !== undefined
          ? []
          : [{ type: 'assert-ref-snapshot-id' as const, ref: 'main', snapshotId: parent?.snapshotId ?? null }]),
      ],
      updates: [
        { action: 'add-snapshot', snapshot: built },
        { action: 'set-snapshot-ref', refName: branch, snapshotId, type: 'branch' },
        ...(change.properties === undefined || Object.keys(change.properties).length === 0
          ? []
          : [{ action: 'set-properties' as const, updates: change.properties }]),
        ...(expiry === undefined || expiry.expire.length === 0 ? [] : [{ action: 'remove-snapshots' as const, snapshotIds: expiry.expire.map((x) => x.snapshotId) }]),
      ],
    };
  };

  const table = await commitWithRetry(catalog, id, build, {
    commitId,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.events === undefined ? {} : { events: options.events }),
    ...(options.base === undefined ? {} : { base: options.base }),
  });
  const snapshot = table.metadata.snapshots.find((s) => s.summary[COMMIT_ID_KEY] === commitId) ?? built;
  if (snapshot === undefined) throw new Error(`iceberg commit ${commitId} landed but its snapshot is missing`);
  const remaining = new Set(table.metadata.snapshots.map((x) => x.snapshotId));
  const expired = [...planned.values()].filter((x) => !remaining.has(x.snapshotId));
  return { table, snapshot, expired: { snapshots: expired, onMain: plannedOnMain, linear: expired.length > 0 && historyIsLinear(table.metadata) } };
}

/** Writes one manifest per (spec, content) group of the added files; sequence numbers inherit. */
async function writeAddedManifests(
  io: FileIO,
  metadata: TableMetadata,
  snapshotId: bigint,
  commitId: string,
  files: readonly DataFile[],
): Promise<ManifestFile[]> {
  const groups = new Map<string, DataFile[]>();
  for (const file of files) {
    const key = `${file.specId}:${file.content === FileContent.Data ? 'data' : 'deletes'}`;
    const group = groups.get(key) ?? [];
    group.push(file);
    groups.set(key, group);
  }
  const manifests: ManifestFile[] = [];
  let n = 0;
  for (const [key, group] of groups) {
    const [specId, kind] = key.split(':');
    const entries: ManifestEntry[] = group.map((dataFile) => ({
      status: EntryStatus.Added,
      snapshotId,
      sequenceNumber: null,
      fileSequenceNumber: null,
      dataFile,
    }));
    manifests.push(
      await writeManifest(io, `${metadata.location}/metadata/${commitId}-m${n++}.avro`, {
        schema: currentSchema(metadata),
        spec: specById(metadata, Number(specId)),
        content: kind === 'data' ? ManifestContent.Data : ManifestContent.Deletes,
        snapshotId,
        entries,
      }),
    );
  }
  return manifests;
}

interface Carried {
  readonly manifests: ManifestFile[];
  readonly removed: DataFile[];
}

/**
 * The parent's manifests for the new list: untouched ones as they are, ones holding removed
 * files rewritten with those entries marked DELETED and the rest EXISTING.
 */
async function carryManifests(
  io: FileIO,
  metadata: TableMetadata,
  parent: Snapshot | undefined,
  snapshotId: bigint,
  commitId: string,
  change: ChangeSet,
): Promise<Carried> {
  if (parent === undefined) {
    if ((change.removedFiles?.length ?? 0) > 0) throw new Error(`iceberg table ${metadata.location} has no snapshot to remove files from`);
    return { manifests: [], removed: [] };
  }
  // Manifests whose files were all removed by an earlier snapshot are dropped, as Java does
  // (all-zero counts, as very old v1 lists may carry, keep the manifest).
  const existing = (await readManifestList(io, parent.manifestList)).filter(
    (m) => m.addedFilesCount + m.existingFilesCount > 0 || m.deletedFilesCount === 0,
  );
  const toRemove = new Set((change.removedFiles ?? []).map((f) => f.filePath));
  if (!change.removeAll && toRemove.size === 0) return { manifests: existing, removed: [] };

  const manifests: ManifestFile[] = [];
  const removed: DataFile[] = [];
  let n = 0;
  for (const manifest of existing) {
    const entries = await readManifest(io, manifest);
    const live = entries.filter((e) => e.status !== EntryStatus.Deleted);
    const hit = live.filter((e) => change.removeAll === true || toRemove.has(e.dataFile.filePath));
    if (hit.length === 0) {
      manifests.push(manifest);
      continue;
    }
    for (const e of hit) {
      removed.push(e.dataFile);
      toRemove.delete(e.dataFile.filePath);
    }
    const hitSet = new Set(hit);
    const rewritten: ManifestEntry[] = live.map((e) => ({
      ...e,
      status: hitSet.has(e) ? EntryStatus.Deleted : EntryStatus.Existing,
      snapshotId: hitSet.has(e) ? snapshotId : e.snapshotId,
    }));
    manifests.push(
      await writeManifest(io, `${metadata.location}/metadata/${commitId}-r${n++}.avro`, {
        schema: currentSchema(metadata),
        spec: specById(metadata, manifest.partitionSpecId),
        content: manifest.content,
        snapshotId,
        entries: rewritten,
      }),
    );
  }
  if (toRemove.size > 0) {
    const [first] = toRemove;
    throw new Error(`iceberg table ${metadata.location}: file to remove is no longer live: ${first}`);
  }
  return { manifests, removed };
}

/**
 * The new list's manifests with the bins planned by planManifestMerge (table properties)
 * rewritten into one manifest each. Entries ADDED or DELETED by this snapshot stay so; other
 * live entries become EXISTING with their snapshot id and both sequence numbers written out
 * (what they read as, inheritance included); entries DELETED by earlier snapshots are dropped.
 * File totals are unchanged, so the summary needs nothing from here.
 */
async function mergeManifests(
  io: FileIO,
  metadata: TableMetadata,
  snapshotId: bigint,
  prefix: string,
  manifests: readonly ManifestFile[],
): Promise<ManifestFile[]> {
  const out: ManifestFile[] = [];
  let n = 0;
  for (const planned of planManifestMerge(manifests, manifestMergeSettings(metadata.properties))) {
    if (planned.kind === 'keep') {
      out.push(planned.manifest);
      continue;
    }
    const entries: ManifestEntry[] = [];
    for (const manifest of planned.manifests) {
      for (const e of await readManifest(io, manifest)) {
        const ours = e.snapshotId === snapshotId;
        if (e.status === EntryStatus.Deleted) {
          if (ours) entries.push(e);
        } else if (e.status === EntryStatus.Added && ours) {
          entries.push(e);
        } else {
          entries.push({ ...e, status: EntryStatus.Existing });
        }
      }
    }
    if (entries.length === 0) continue; // only files deleted by earlier snapshots: nothing to list
    out.push(
      await writeManifest(io, `${metadata.location}/metadata/${prefix}-g${n++}.avro`, {
        schema: currentSchema(metadata),
        spec: specById(metadata, planned.specId),
        content: planned.content,
        snapshotId,
        entries,
      }),
    );
  }
  return out;
}
