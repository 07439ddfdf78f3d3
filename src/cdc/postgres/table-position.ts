/**
 * Where one table stands in the WAL, and which transactions it still needs. Two sources of a
 * start: a sync checkpoint (`through`: every transaction committed at or before this LSN is in
 * Iceberg) or a bulk load (its snapshot `xmin:xmax:xip`: a transaction is in the loaded data iff
 * the snapshot sees its xid; the watermark LSN is only a fallback when no snapshot is known).
 * Pure; stored in the snapshot summary as `floe.source.lsn` (pg_lsn text) + `floe.source.position` JSON.
 */
import type { CheckpointSummary } from '../../pipeline/sync/change-source.ts';
import { formatLsn, parseLsn } from './pgoutput-parser.ts';

/** Summary keys of this source. */
export const PG_POSITION_KEYS = {
  lsn: 'floe.source.lsn', // commit LSN of the last transaction applied (load: its watermark), 0/16B3748 form
  position: 'floe.source.position', // JSON PositionJson, written by sync only
  pgSnapshot: 'floe.source.pg-snapshot', // load: pg_current_snapshot() of the load's snapshot
} as const;

/** A PostgreSQL snapshot `xmin:xmax:xip1,xip2` with 32-bit xids (as pgoutput's Begin carries). */
export interface PgSnapshot {
  readonly text: string;
  readonly xmin: number;
  readonly xmax: number;
  readonly xip: ReadonlySet<number>;
}

/** What a table still needs from the stream. */
export interface TablePosition {
  /** Transactions committed at or before this LSN are applied; null: none since the load. */
  readonly through: bigint | null;
  /** The load this table's data comes from, while its snapshot can still tell transactions apart. */
  readonly load: { readonly lsn: bigint; readonly snapshot: PgSnapshot | null } | null;
}

/**
 * `floe.source.position`: the shared SourcePosition encoding (decimal strings, see
 * cdc/apply/checkpoint.ts: `commitLsn`, `txId`) plus this source's `through` and `load` filter.
 */
interface PositionJson {
  commitLsn?: string;
  txId?: string;
  through: string | null;
  load: { lsn: string; pgSnapshot: string | null } | null;
}

/** `a - b` as signed 32-bit: xid order modulo 2^32, as PostgreSQL compares normal xids. */
const xidDiff = (a: number, b: number) => ((a - b) << 0);

/** Parses `pg_current_snapshot()` text (64-bit xids) into 32-bit xids; throws naming the text when malformed. */
export function parsePgSnapshot(text: string): PgSnapshot {
  const m = /^(\d+):(\d+):([\d,]*)$/.exec(text.trim());
  if (!m) throw new Error(`postgres snapshot ${JSON.stringify(text)} is not of the form xmin:xmax:xip,…`);
  const low = (s: string) => Number(BigInt(s) & 0xffffffffn);
  return { text, xmin: low(m[1]!), xmax: low(m[2]!), xip: new Set(m[3] ? m[3].split(',').map(low) : []) };
}

/** True when the snapshot sees transaction `xid` as committed (it is in the loaded data). */
export function snapshotSees(s: PgSnapshot, xid: number): boolean {
  if (xidDiff(xid, s.xmin) < 0) return true;
  if (xidDiff(xid, s.xmax) >= 0) return false;
  return !s.xip.has(xid);
}

/** Whether a transaction (commit LSN, xid) still has to be applied to a table at `p`. */
export function needsTransaction(p: TablePosition, commitLsn: bigint, xid: number): boolean {
  if (p.through !== null && commitLsn <= p.through) return false;
  if (p.load !== null) {
    if (p.load.snapshot !== null) return !snapshotSees(p.load.snapshot, xid);
    return commitLsn >= p.load.lsn;
  }
  return true;
}

/**
 * The position after a complete transaction. Once a transaction that started after the load's
 * snapshot (xid ≥ xmax) has committed, no transaction the snapshot saw can follow it, so the
 * load filter is dropped (which also keeps 32-bit xid comparison away from wraparound).
 */
export function advance(p: TablePosition, commitLsn: bigint, xid: number): TablePosition {
  if (p.through !== null && commitLsn <= p.through) return p;
  const snap = p.load?.snapshot;
  const keepLoad = p.load !== null && (snap ? xidDiff(xid, snap.xmax) < 0 : commitLsn < p.load.lsn);
  return { through: commitLsn, load: keepLoad ? p.load : null };
}

/** The earliest LSN the stream must start at for this table. */
export function startLsn(p: TablePosition): bigint {
  if (p.through !== null) return p.through + 1n;
  return p.load?.lsn ?? 0n;
}

/** Summary keys for a table at `p` (`txId`: of the last applied transaction, for people). */
export function positionSummary(p: TablePosition, txId?: number): CheckpointSummary {
  const json: PositionJson = {
    ...(p.through === null ? {} : { commitLsn: p.through.toString() }),
    ...(txId === undefined ? {} : { txId: String(txId) }),
    through: p.through === null ? null : formatLsn(p.through),
    load: p.load === null ? null : { lsn: formatLsn(p.load.lsn), pgSnapshot: p.load.snapshot?.text ?? null },
  };
  const lsn = p.through ?? p.load?.lsn ?? 0n;
  // pg_lsn text (0/16B3748), the form `floe load` writes and people read; every reader takes both
  return { [PG_POSITION_KEYS.lsn]: formatLsn(lsn), [PG_POSITION_KEYS.position]: JSON.stringify(json) };
}

/**
 * The position a table starts from: its last sync checkpoint (a summary with
 * `floe.source.position`), else its load watermark, else undefined (never loaded: the caller
 * decides). Throws naming the table when a summary is malformed.
 */
export function positionFromSummaries(table: string, lastCommitted: CheckpointSummary | undefined, load: CheckpointSummary | undefined): TablePosition | undefined {
  try {
    const pos = lastCommitted?.[PG_POSITION_KEYS.position];
    if (pos !== undefined) {
      const j = JSON.parse(pos) as PositionJson;
      if (!('through' in j)) throw new Error(`${PG_POSITION_KEYS.position} ${pos} was not written by the PostgreSQL logical replication source (another change source synced this table?)`);
      return {
        through: j.through === null ? null : parseLsn(j.through),
        load: j.load === null ? null : { lsn: parseLsn(j.load.lsn), snapshot: j.load.pgSnapshot === null ? null : parsePgSnapshot(j.load.pgSnapshot) },
      };
    }
    const summary = load ?? lastCommitted;
    const lsn = summary?.[PG_POSITION_KEYS.lsn];
    if (summary === undefined || lsn === undefined) return undefined;
    const snap = summary[PG_POSITION_KEYS.pgSnapshot];
    return { through: null, load: { lsn: parseLsn(lsn), snapshot: snap === undefined ? null : parsePgSnapshot(snap) } };
  } catch (error) {
    throw new Error(`table ${table}: cannot read its replication position from the snapshot summary: ${(error as Error).message}`, { cause: error });
  }
}
