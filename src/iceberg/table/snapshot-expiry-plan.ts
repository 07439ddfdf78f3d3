/**
 * Which snapshots a streaming writer expires, as Java's ExpireSnapshots chooses them: a
 * snapshot stays while it is newer than the age limit, is the head of a ref, is one of the
 * newest `minSnapshotsToKeep` ancestors of a branch head, or is protected by the caller (e.g.
 * the load commit whose summary holds the sync's handoff watermark). Every other one goes.
 *
 * A sync commits every few seconds, and every commit rewrites the whole metadata file, which
 * lists every snapshot (~800 bytes each): without expiry a commit's cost and the metadata
 * written grow with the table's history. Expiry runs in batches, once the oldest expirable
 * snapshot is `slack` past the limit, so one metadata commit removes many.
 *
 * The table properties Java reads for the same purpose override the writer's defaults:
 * history.expire.max-snapshot-age-ms and history.expire.min-snapshots-to-keep.
 * Pure.
 */
import type { Snapshot, TableMetadata } from '../spec/types.ts';

export const MAX_SNAPSHOT_AGE_PROPERTY = 'history.expire.max-snapshot-age-ms';
export const MIN_SNAPSHOTS_TO_KEEP_PROPERTY = 'history.expire.min-snapshots-to-keep';

export interface SnapshotRetention {
  /** Snapshots younger than this are kept. */
  readonly maxAgeMs: number;
  /** Ancestors of each branch head kept whatever their age, the head included (at least 1). */
  readonly minSnapshotsToKeep: number;
}

export interface SnapshotExpiryPlan {
  /** Snapshots to remove from the metadata, oldest first. */
  readonly expire: readonly Snapshot[];
  /**
   * Those of `expire` that are ancestors of main's head: what they removed is gone from main.
   * (A rolled-back snapshot removed nothing from main: the files it removed may still be live.)
   */
  readonly onMain: ReadonlySet<bigint>;
}

/** A positive integer property, or undefined when absent or not one. */
function positiveProperty(properties: Readonly<Record<string, string>>, key: string): number | undefined {
  const text = properties[key];
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  const n = Number(text);
  return n > 0 ? n : undefined;
}

/** The retention of a table: its history.expire.* properties, else `defaults`. */
export function retentionOf(properties: Readonly<Record<string, string>>, defaults: SnapshotRetention): SnapshotRetention {
  return {
    maxAgeMs: positiveProperty(properties, MAX_SNAPSHOT_AGE_PROPERTY) ?? defaults.maxAgeMs,
    minSnapshotsToKeep: Math.max(1, positiveProperty(properties, MIN_SNAPSHOTS_TO_KEEP_PROPERTY) ?? defaults.minSnapshotsToKeep),
  };
}

/** How long past the age limit the oldest expirable snapshot may get before a batch is expired: a tenth of the limit, at least a minute (or the limit, when shorter). */
export function expirySlackMs(r: SnapshotRetention): number {
  return Math.max(Math.min(60_000, r.maxAgeMs), Math.floor(r.maxAgeMs / 10));
}

/** Head first, then parents while they are in the table. */
function ancestors(byId: ReadonlyMap<bigint, Snapshot>, head: bigint): Snapshot[] {
  const out: Snapshot[] = [];
  for (let s = byId.get(head); s !== undefined; s = s.parentSnapshotId === undefined ? undefined : byId.get(s.parentSnapshotId)) out.push(s);
  return out;
}

/**
 * The snapshots to expire now: none until the oldest expirable one is `expirySlackMs` past the
 * limit, then every expirable one. `protect` names snapshots to keep whatever their age.
 */
export function planSnapshotExpiry(m: TableMetadata, nowMs: number, r: SnapshotRetention, protect: ReadonlySet<bigint> = new Set()): SnapshotExpiryPlan {
  const byId = new Map(m.snapshots.map((s) => [s.snapshotId, s]));
  const keep = new Set<bigint>(protect);
  for (const ref of Object.values(m.refs)) {
    keep.add(ref.snapshotId);
    if (ref.type !== 'branch') continue;
    const minKeep = Math.max(1, ref.minSnapshotsToKeep ?? r.minSnapshotsToKeep);
    for (const s of ancestors(byId, ref.snapshotId).slice(0, minKeep)) keep.add(s.snapshotId);
  }
  const cutoff = nowMs - r.maxAgeMs;
  const expirable = m.snapshots.filter((s) => !keep.has(s.snapshotId) && s.timestampMs < cutoff);
  const oldest = Math.min(...expirable.map((s) => s.timestampMs));
  if (expirable.length === 0 || oldest >= cutoff - expirySlackMs(r)) return { expire: [], onMain: new Set() };
  const head = m.refs.main?.snapshotId;
  const mainLine = new Set(head === undefined ? [] : ancestors(byId, head).map((s) => s.snapshotId));
  return { expire: [...expirable].sort((a, b) => a.timestampMs - b.timestampMs), onMain: new Set(expirable.filter((s) => mainLine.has(s.snapshotId)).map((s) => s.snapshotId)) };
}

/**
 * True when main is the only ref and every snapshot is an ancestor of main's head: the history
 * is one line, so a file an ancestor of main removed before every snapshot left is in none of
 * them (what expired-file cleanup needs to know before deleting data and delete files).
 */
export function historyIsLinear(m: TableMetadata): boolean {
  if (!Object.keys(m.refs).every((name) => name === 'main')) return false;
  const head = m.refs.main?.snapshotId;
  const onMain = new Set(head === undefined ? [] : ancestors(new Map(m.snapshots.map((s) => [s.snapshotId, s])), head).map((s) => s.snapshotId));
  return m.snapshots.every((s) => onMain.has(s.snapshotId));
}
