/**
 * One consistent read of many connections: the coordinator exports a snapshot and keeps its
 * transaction open; chunk readers import it. The WAL position is taken BEFORE the snapshot,
 * in autocommit, so no transaction can commit between the watermark and the snapshot unseen:
 * everything committed before the watermark is in the snapshot, and replay from the
 * watermark (idempotent upserts) covers the rest. `pg_current_snapshot()` (xmin:xmax:xip…)
 * lets CDC tell exactly which transactions the snapshot contains.
 */
import type { Queryable } from './introspector.ts';

/** What a chunk reader needs to see exactly what the coordinator sees. */
export interface ExportedSnapshot {
  /** pg_export_snapshot() name, e.g. `00000003-0000001B-1`. */
  readonly name: string;
  /** pg_current_wal_lsn() before the snapshot, e.g. `0/16B3748`. */
  readonly lsn: string;
  /** pg_current_snapshot()::text, `xmin:xmax:xip1,xip2`. */
  readonly pgSnapshot: string;
}

const SNAPSHOT_NAME = /^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$/i;

/** A string as an SQL literal, valid whatever standard_conforming_strings says (E'' form). */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error(`postgres literal contains NUL: ${JSON.stringify(value)}`);
  return `E'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/**
 * Takes the watermark, then opens `REPEATABLE READ READ ONLY` and exports its snapshot. The
 * transaction stays open on `db` until `releaseSnapshot`; `db` must be a dedicated connection.
 */
export async function exportSnapshot(db: Queryable): Promise<ExportedSnapshot> {
  const lsn = (await db.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
  await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  const row = (await db.query<{ name: string; snap: string }>('SELECT pg_export_snapshot() AS name, pg_current_snapshot()::text AS snap')).rows[0]!;
  return { name: row.name, lsn, pgSnapshot: row.snap };
}

/**
 * Joins a snapshot exported elsewhere (e.g. by CREATE_REPLICATION_SLOT … SNAPSHOT 'export') in
 * a new transaction on `db`, so planning queries see exactly what the chunk readers will.
 */
export async function joinSnapshot(db: Queryable, snapshot: ExportedSnapshot): Promise<ExportedSnapshot> {
  for (const sql of importSnapshotSql(snapshot.name)) await db.query(sql);
  return snapshot;
}

/** Ends the exporting (or joining) transaction: the snapshot can no longer be imported. */
export async function releaseSnapshot(db: Queryable): Promise<void> {
  await db.query('COMMIT');
}

/** SQL that starts a transaction reading `name` (SET TRANSACTION SNAPSHOT takes no bind parameter). */
export function importSnapshotSql(name: string): string[] {
  if (!SNAPSHOT_NAME.test(name)) throw new Error(`postgres snapshot name ${JSON.stringify(name)} is not of the form 00000003-0000001B-1`);
  return ['BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', `SET TRANSACTION SNAPSHOT ${quoteLiteral(name)}`];
}
