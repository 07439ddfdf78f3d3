/**
 * Snapshot summaries: the standard totals Iceberg engines show (added-records, total-records,
 * ...), computed from the files a commit adds and removes and the previous snapshot's totals.
 * Pure. Totals are left out when the previous snapshot had none (another writer did not keep
 * them), as Java does, rather than guessed.
 */
import { FileContent, type DataFile, type SnapshotOperation } from '../spec/types.ts';

export interface FileChanges {
  readonly addedFiles: readonly DataFile[];
  readonly removedFiles: readonly DataFile[];
}

interface Tally {
  dataFiles: number;
  deleteFiles: number;
  positionDeleteFiles: number;
  records: number;
  positionDeletes: number;
  bytes: number;
}

function tally(files: readonly DataFile[]): Tally {
  const t: Tally = { dataFiles: 0, deleteFiles: 0, positionDeleteFiles: 0, records: 0, positionDeletes: 0, bytes: 0 };
  for (const f of files) {
    t.bytes += f.fileSizeInBytes;
    if (f.content === FileContent.Data) {
      t.dataFiles += 1;
      t.records += f.recordCount;
    } else {
      t.deleteFiles += 1;
      if (f.content === FileContent.PositionDeletes) {
        t.positionDeleteFiles += 1;
        t.positionDeletes += f.recordCount;
      }
    }
  }
  return t;
}

const TOTALS = [
  ['total-records', (a: Tally) => a.records],
  ['total-files-size', (a: Tally) => a.bytes],
  ['total-data-files', (a: Tally) => a.dataFiles],
  ['total-delete-files', (a: Tally) => a.deleteFiles],
  ['total-position-deletes', (a: Tally) => a.positionDeletes],
] as const;

/**
 * The summary of a new snapshot: operation, added/removed counts, running totals, and the
 * caller's extra keys (floe's own keys are prefixed `floe.`). Zero counts are omitted.
 */
export function buildSummary(
  operation: SnapshotOperation,
  changes: FileChanges,
  previous: Readonly<Record<string, string>> | undefined,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> & { operation: SnapshotOperation } {
  const added = tally(changes.addedFiles);
  const removed = tally(changes.removedFiles);
  const summary: Record<string, string> & { operation: SnapshotOperation } = { operation };
  const put = (key: string, n: number): void => {
    if (n !== 0) summary[key] = String(n);
  };
  put('added-data-files', added.dataFiles);
  put('added-records', added.records);
  put('added-files-size', added.bytes);
  put('added-delete-files', added.deleteFiles);
  put('added-position-delete-files', added.positionDeleteFiles);
  put('added-position-deletes', added.positionDeletes);
  put('deleted-data-files', removed.dataFiles);
  put('deleted-records', removed.records);
  put('removed-files-size', removed.bytes);
  put('removed-delete-files', removed.deleteFiles);
  put('removed-position-delete-files', removed.positionDeleteFiles);
  put('removed-position-deletes', removed.positionDeletes);
  for (const [key, pick] of TOTALS) {
    const before = previous === undefined ? '0' : previous[key];
    if (before === undefined) continue;
    summary[key] = String(Number(before) + pick(added) - pick(removed));
  }
  summary['total-equality-deletes'] = previous?.['total-equality-deletes'] ?? '0';
  return { ...summary, ...extra, operation };
}
