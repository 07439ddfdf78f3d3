/**
 * The server-side objects of logical replication: the publication of the configured tables,
 * their REPLICA IDENTITY, the slot (created over the replication protocol with an exported
 * snapshot, for a gapless start), its status (retained WAL) and its removal, and the heartbeat
 * message that lets an idle slot advance. Identifiers are quoted, values are parameters.
 */
import pg from 'pg';
import { ConfigError, NotFoundError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Queryable } from '../../sources/postgres/introspector.ts';
import type { PgConnectOptions } from '../../sources/postgres/connection.ts';
import type { ExportedSnapshot } from '../../sources/postgres/snapshot.ts';
import { importSnapshotSql } from '../../sources/postgres/snapshot.ts';
import { qualifiedName, quoteIdent } from '../../sources/postgres/sql.ts';
import { REPLICATION_SESSION_OPTIONS } from './pg-text-codecs.ts';

/** A source table, exact names. */
export interface SourceTableName {
  readonly schema: string;
  readonly table: string;
}

/** Slot and publication names floe accepts (PostgreSQL's slot rule, applied to both). */
export const SLOT_NAME = /^[a-z0-9_]{1,63}$/;

/** Throws ConfigError unless `name` is a valid slot/publication name. */
export function checkSlotName(what: string, name: string): void {
  if (!SLOT_NAME.test(name)) throw new ConfigError(`sync.source.${what} ${JSON.stringify(name)}: expected 1-63 characters of a-z, 0-9 and _`);
}

const label = (t: SourceTableName) => `${t.schema}.${t.table}`;

/**
 * Creates publication `name` FOR the given tables, or sets its table list when it differs.
 * Returns what it did. Throws naming the publication when it is FOR ALL TABLES (floe leaves it alone).
 */
export async function ensurePublication(db: Queryable, name: string, tables: readonly SourceTableName[]): Promise<'created' | 'altered' | 'unchanged'> {
  const list = tables.map((t) => qualifiedName(t.schema, t.table)).join(', ');
  const pub = (await db.query<{ puballtables: boolean }>('SELECT puballtables FROM pg_publication WHERE pubname = $1', [name])).rows[0];
  if (!pub) {
    await db.query(`CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE ${list}`);
    return 'created';
  }
  if (pub.puballtables) return 'unchanged';
  const have = (await db.query<{ schemaname: string; tablename: string }>('SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1', [name])).rows;
  const key = (s: string, t: string) => JSON.stringify([s, t]);
  const haveSet = new Set(have.map((r) => key(r.schemaname, r.tablename)));
  const want = new Set(tables.map((t) => key(t.schema, t.table)));
  if (haveSet.size === want.size && [...want].every((k) => haveSet.has(k))) return 'unchanged';
  await db.query(`ALTER PUBLICATION ${quoteIdent(name)} SET TABLE ${list}`);
  return 'altered';
}

/** What to do when a table's REPLICA IDENTITY cannot give the old key of updates and deletes. */
export type ReplicaIdentityPolicy = 'warn' | 'fail' | 'set-full';

/**
 * Checks each table's REPLICA IDENTITY against its key columns: DEFAULT needs a primary key
 * covering the key, INDEX an index covering it, NOTHING never works; FULL always does.
 * Under `set-full` the table is altered to REPLICA IDENTITY FULL; `fail` throws ConfigError
 * naming every table; `warn` logs. Returns the tables found lacking.
 */
export async function checkReplicaIdentity(
  db: Queryable,
  tables: readonly (SourceTableName & { readonly keyColumns: readonly string[] })[],
  policy: ReplicaIdentityPolicy,
  log: Logger,
): Promise<string[]> {
  const lacking: string[] = [];
  for (const t of tables) {
    const row = (
      await db.query<{ ident: string; cols: string[] | null }>(
        `SELECT c.relreplident AS ident,
                (SELECT array_agg(a.attname::text) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                  WHERE i.indrelid = c.oid AND ((c.relreplident = 'd' AND i.indisprimary) OR (c.relreplident = 'i' AND i.indisreplident))) AS cols
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
        [t.schema, t.table],
      )
    ).rows[0];
    if (!row) throw new NotFoundError(`postgres table ${label(t)} not found`);
    const cols = row.cols ?? [];
    const ok = row.ident === 'f' || (t.keyColumns.length > 0 && (row.ident === 'd' || row.ident === 'i') && t.keyColumns.every((k) => cols.includes(k)) && cols.every((c) => t.keyColumns.includes(c)));
    if (ok) continue;
    if (policy === 'set-full') {
      await db.query(`ALTER TABLE ${qualifiedName(t.schema, t.table)} REPLICA IDENTITY FULL`);
      log.warn({ table: label(t), was: row.ident }, 'set REPLICA IDENTITY FULL so updates and deletes carry the old row');
      continue;
    }
    lacking.push(label(t));
  }
  if (lacking.length > 0) {
    const msg = `REPLICA IDENTITY of ${lacking.join(', ')} does not carry the key floe applies by: updates of the key and deletes cannot be applied exactly (ALTER TABLE … REPLICA IDENTITY FULL, or set sync.source.replicaIdentity: set-full)`;
    if (policy === 'fail') throw new ConfigError(msg);
    log.warn({ tables: lacking }, msg);
  }
  return lacking;
}

/** A slot just created with its exported snapshot; the snapshot lives until `release`. */
export interface CreatedSlot {
  readonly slot: string;
  /** The snapshot to load in, in the shape `floe load` takes: name, consistent point, xmin:xmax:xip. */
  readonly snapshot: ExportedSnapshot;
  /** Ends the replication connection: the snapshot can no longer be imported. */
  release(): Promise<void>;
}

/**
 * Creates logical slot `slot` (pgoutput) over a replication connection with an exported
 * snapshot: every transaction committed before the slot's consistent point is in the snapshot,
 * every later one will be streamed. Keep it until every table is loaded in the snapshot.
 */
export async function createSlotWithSnapshot(connect: PgConnectOptions, slot: string): Promise<CreatedSlot> {
  checkSlotName('slot', slot);
  const repl = new pg.Client({ ...connect, ssl: connect.ssl === false ? false : { ...connect.ssl }, options: REPLICATION_SESSION_OPTIONS, replication: 'database' } as pg.ClientConfig);
  repl.on('error', () => undefined);
  await repl.connect();
  try {
    const res = await repl.query<{ consistent_point: string; snapshot_name: string }>(`CREATE_REPLICATION_SLOT ${quoteIdent(slot)} LOGICAL pgoutput (SNAPSHOT 'export')`);
    const row = res.rows[0]!;
    const reader = new pg.Client({ ...connect, ssl: connect.ssl === false ? false : { ...connect.ssl } });
    await reader.connect();
    let pgSnapshot: string;
    try {
      for (const sql of importSnapshotSql(row.snapshot_name)) await reader.query(sql);
      pgSnapshot = (await reader.query<{ s: string }>('SELECT pg_current_snapshot()::text AS s')).rows[0]!.s;
      await reader.query('COMMIT');
    } finally {
      await reader.end().catch(() => undefined);
    }
    return {
      slot,
      snapshot: { name: row.snapshot_name, lsn: row.consistent_point, pgSnapshot },
      release: async () => {
        await repl.end().catch(() => undefined);
      },
    };
  } catch (error) {
    await repl.end().catch(() => undefined);
    throw new Error(`postgres slot ${slot}: CREATE_REPLICATION_SLOT failed: ${(error as Error).message}`, { cause: error });
  }
}

/** One slot as pg_replication_slots shows it, with the WAL it holds back (bytes). */
export interface SlotStatus {
  readonly slot: string;
  readonly plugin: string | null;
  readonly database: string | null;
  readonly active: boolean;
  readonly activePid: number | null;
  readonly restartLsn: string | null;
  readonly confirmedFlushLsn: string | null;
  /** pg_current_wal_lsn() − confirmed_flush_lsn: WAL not yet confirmed by floe. */
  readonly retainedWalBytes: number | null;
  /** pg_current_wal_lsn() − restart_lsn: WAL the server keeps for this slot. */
  readonly restartWalBytes: number | null;
  readonly walStatus: string | null;
}

/** Status of slot `slot`, or undefined when there is none. */
export async function slotStatus(db: Queryable, slot: string): Promise<SlotStatus | undefined> {
  const r = (
    await db.query<{ slot_name: string; plugin: string | null; database: string | null; active: boolean; active_pid: number | null; restart_lsn: string | null; confirmed_flush_lsn: string | null; retained: string | null; restart_bytes: string | null; wal_status: string | null }>(
      `SELECT slot_name, plugin, database, active, active_pid, restart_lsn::text, confirmed_flush_lsn::text,
              pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::int8::text AS retained,
              pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::int8::text AS restart_bytes, wal_status
         FROM pg_replication_slots WHERE slot_name = $1`,
      [slot],
    )
  ).rows[0];
  if (!r) return undefined;
  const num = (s: string | null) => (s === null ? null : Number(s));
  return {
    slot: r.slot_name, plugin: r.plugin, database: r.database, active: r.active, activePid: r.active_pid,
    restartLsn: r.restart_lsn, confirmedFlushLsn: r.confirmed_flush_lsn, retainedWalBytes: num(r.retained), restartWalBytes: num(r.restart_bytes), walStatus: r.wal_status,
  };
}

/**
 * Drops slot `slot` (and the WAL it retains). An active slot is refused unless `terminate`:
 * then its walsender is terminated first. Throws NotFoundError when there is no such slot.
 */
export async function dropSlot(db: Queryable, slot: string, terminate = false): Promise<void> {
  const s = await slotStatus(db, slot);
  if (!s) throw new NotFoundError(`postgres slot ${slot} not found`);
  if (s.active && s.activePid !== null) {
    if (!terminate) throw new ConfigError(`postgres slot ${slot} is in use by process ${s.activePid}; stop floe sync first (or pass --force)`);
    await db.query('SELECT pg_terminate_backend($1)', [s.activePid]);
    for (let i = 0; i < 50 && (await slotStatus(db, slot))?.active; i++) await new Promise((r) => setTimeout(r, 100));
  }
  await db.query('SELECT pg_drop_replication_slot($1)', [slot]);
}

/** Drops publication `name` when it exists. */
export async function dropPublication(db: Queryable, name: string): Promise<void> {
  await db.query(`DROP PUBLICATION IF EXISTS ${quoteIdent(name)}`);
}

/** Writes a non-transactional `floe-heartbeat` message into the WAL: decoded by every slot of the database, it lets an idle slot confirm. */
export async function emitHeartbeat(db: Queryable): Promise<void> {
  await db.query("SELECT pg_logical_emit_message(false, 'floe-heartbeat', now()::text)");
}

/** Prefix of heartbeat messages. */
export const HEARTBEAT_PREFIX = 'floe-heartbeat';
