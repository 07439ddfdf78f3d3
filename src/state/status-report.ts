/**
 * What `floe status` shows, as plain data: recent runs and each table's latest row from the
 * status store, beside what the Iceberg table itself says (main's snapshot, total-records, the
 * load watermark, the completed load, staged load branches). Pure.
 */
import type { TableMetadata } from '../iceberg/spec/types.ts';
import { LOAD_BRANCH_PREFIX, REBUILD_KEYS } from './rebuild-status.ts';
import type { RunRecord, TableRecord } from './status-store.ts';

/** One table as its Iceberg metadata shows it. */
export interface IcebergTableStatus {
  readonly target: string;
  readonly exists: boolean;
  readonly error: string | null; // the catalog could not be read for this table
  readonly snapshotId: string | null; // main's head
  readonly totalRecords: number | null; // main head's total-records, when the writer kept totals
  readonly watermark: string | null; // floe.source.lsn of the newest main snapshot that has one
  readonly completeRun: string | null; // table property floe.load.complete-run
  readonly stagedRuns: readonly string[]; // runs staged on floe-load-* branches (resumable)
  readonly lastCommitMs: number | null; // main head's timestamp
}

/** The whole report (`floe status --json` prints exactly this). */
export interface StatusReport {
  readonly runs: readonly RunRecord[];
  readonly tables: readonly TableRecord[];
  readonly iceberg: readonly IcebergTableStatus[];
}

/** An IcebergTableStatus for a table that is absent or unreadable. */
export function icebergUnavailable(target: string, exists: boolean, error: string | null): IcebergTableStatus {
  return { target, exists, error, snapshotId: null, totalRecords: null, watermark: null, completeRun: null, stagedRuns: [], lastCommitMs: null };
}

/** What `metadata` says about the table: main's head, its totals, the load watermark and load state. */
export function icebergStatus(target: string, metadata: TableMetadata): IcebergTableStatus {
  const byId = new Map(metadata.snapshots.map((s) => [s.snapshotId, s]));
  const headId = metadata.refs.main?.snapshotId ?? metadata.currentSnapshotId;
  const head = headId === null || headId === undefined ? undefined : byId.get(headId);
  let watermark: string | null = null;
  const seen = new Set<bigint>();
  for (let s = head; s !== undefined && !seen.has(s.snapshotId); s = s.parentSnapshotId === undefined ? undefined : byId.get(s.parentSnapshotId)) {
    seen.add(s.snapshotId);
    const lsn = s.summary[REBUILD_KEYS.lsn];
    if (lsn !== undefined) {
      watermark = lsn;
      break;
    }
  }
  const total = head?.summary['total-records'];
  return {
    target,
    exists: true,
    error: null,
    snapshotId: head === undefined ? null : head.snapshotId.toString(),
    totalRecords: total === undefined || !/^\d+$/.test(total) ? null : Number(total),
    watermark,
    completeRun: metadata.properties[REBUILD_KEYS.completeRun] ?? null,
    stagedRuns: Object.entries(metadata.refs)
      .filter(([name, ref]) => name.startsWith(LOAD_BRANCH_PREFIX) && ref.type === 'branch')
      .map(([name]) => name.slice(LOAD_BRANCH_PREFIX.length))
      .sort(),
    lastCommitMs: head?.timestampMs ?? null,
  };
}

/** Targets to show: the configured ones in config order, then any others the store knows, sorted. */
export function targetsToShow(configured: readonly string[], stored: readonly TableRecord[]): string[] {
  const extra = [...new Set(stored.map((t) => t.target))].filter((t) => !configured.includes(t)).sort();
  return [...configured, ...extra];
}
