/**
 * The files only expired snapshots referenced, found and deleted after the metadata commit that
 * expired them (a crash in between leaves orphans, never a missing file):
 *   - each expired snapshot's manifest list (a list belongs to one snapshot);
 *   - manifests listed by an expired snapshot and by no kept one (merged or rewritten since);
 *   - data and delete files an expired snapshot removed (its DELETED entries), only when the
 *     snapshot was an ancestor of main's head, is older than every kept one, and the history
 *     left is one line (snapshot-expiry-plan.ts historyIsLinear): then no kept snapshot can still
 *     list the file. Otherwise they stay, as orphans for a remove-orphan-files job. (A rolled-back
 *     snapshot's removals never happened on main; a tag or branch may keep an older state.)
 * Files of a kept snapshot are never deleted: the kept snapshots' manifest lists are read whole.
 */
import type { FileIO } from '../../io/file-io.ts';
import { readManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import { EntryStatus, type ManifestFile, type Snapshot, type TableMetadata } from '../spec/types.ts';

export interface ExpiredFiles {
  readonly manifestLists: readonly string[];
  readonly manifests: readonly string[];
  readonly contentFiles: readonly string[];
}

/** An expired snapshot's manifests; empty when its list is already gone (an earlier cleanup, or another engine's). */
async function listedManifests(io: FileIO, snapshot: Snapshot): Promise<ManifestFile[]> {
  if (!(await io.exists(snapshot.manifestList))) return [];
  return readManifestList(io, snapshot.manifestList);
}

/** What `expired` leaves unreferenced in `kept` (the metadata after the expiry commit); see the file comment. */
export async function findExpiredFiles(
  io: FileIO,
  kept: TableMetadata,
  expired: { readonly snapshots: readonly Snapshot[]; readonly onMain: ReadonlySet<bigint>; readonly linear: boolean },
): Promise<ExpiredFiles> {
  const keptManifests = new Set<string>();
  // a kept snapshot's list that cannot be read stops the cleanup (throws): deleting on a partial view could remove what it lists
  for (const s of kept.snapshots) for (const m of await readManifestList(io, s.manifestList)) keptManifests.add(m.manifestPath);
  const oldestKept = Math.min(...kept.snapshots.map((s) => s.timestampMs));
  const manifests = new Set<string>();
  const contentFiles = new Set<string>();
  for (const s of expired.snapshots) {
    const listed = await listedManifests(io, s);
    for (const m of listed) if (!keptManifests.has(m.manifestPath)) manifests.add(m.manifestPath);
    if (!expired.linear || !expired.onMain.has(s.snapshotId) || s.timestampMs >= oldestKept) continue;
    for (const m of listed) {
      if (m.addedSnapshotId !== s.snapshotId) continue;
      for (const e of await readManifest(io, m)) if (e.status === EntryStatus.Deleted) contentFiles.add(e.dataFile.filePath);
    }
  }
  return { manifestLists: expired.snapshots.map((s) => s.manifestList), manifests: [...manifests], contentFiles: [...contentFiles] };
}

/** Deletes the files; a failure is counted, not thrown (an orphan file harms no reader). */
export async function deleteExpiredFiles(io: FileIO, files: ExpiredFiles): Promise<{ deleted: number; failed: number }> {
  let deleted = 0;
  let failed = 0;
  for (const path of [...files.contentFiles, ...files.manifests, ...files.manifestLists]) {
    try {
      await io.delete(path);
      deleted += 1;
    } catch {
      failed += 1;
    }
  }
  return { deleted, failed };
}
