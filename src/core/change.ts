/**
 * The change model every change source produces (Debezium on Kafka, PostgreSQL logical
 * replication, Oracle later) and the apply path consumes. Values follow the Iceberg value
 * contract of src/iceberg/spec/types.ts, already converted to the target table's types, and
 * rows are keyed by target column name.
 */
import type { Row } from '../iceberg/spec/types.ts';

/**
 * - upsert: insert or replace the row with this key (Debezium c, r, and u without key change)
 * - delete: remove the row with this key (for keyless tables: one row equal to `before`)
 * - truncate: remove every row of the table
 */
export type ChangeOp = 'upsert' | 'delete' | 'truncate';

/** Where a change sits in its source's history. Positions of one source compare in order. */
export interface SourcePosition {
  /** PostgreSQL: LSN of the change itself (older than its commit for long transactions). */
  readonly lsn?: bigint;
  /** PostgreSQL: LSN of the commit record of the change's transaction, when the source knows it. */
  readonly commitLsn?: bigint;
  /**
   * PostgreSQL via Debezium: the first element of `source.sequence` (Debezium's "lastCommitLsn").
   * Measured (3.6.1, pgoutput): the first LSN of the change's transaction, null in snapshots —
   * not a commit LSN, so it must not be compared with commit positions.
   */
  readonly lastCommitLsn?: bigint;
  /** PostgreSQL / Oracle transaction id (PostgreSQL: the 64-bit xid8 / txid when known, else 32-bit). */
  readonly txId?: bigint;
  /** Oracle: SCN of the change, and of its transaction's commit. */
  readonly scn?: bigint;
  readonly commitScn?: bigint;
  /** Order of the change inside its transaction or event stream, when the source gives one. */
  readonly sequence?: bigint;
}

/** Where a change came from in Kafka, for checkpoints, dead letters and error messages. */
export interface KafkaOrigin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

export interface Change {
  /** Source table, `schema.table` as configured (exact names, unquoted). */
  readonly table: string;
  readonly op: ChangeOp;
  /**
   * Key of the row the change replaces or removes, by key column name. For an upsert that
   * changed the primary key this is the OLD key (the row under it goes away) and `after`
   * holds the new one; null for truncate and for keyless tables.
   */
  readonly key: Row | null;
  /** The row after the change (upsert), complete except the columns in `unchanged`. */
  readonly after: Row | null;
  /** The row before the change when the source has it (keyless deletes need it whole). */
  readonly before: Row | null;
  /** Columns whose value did not change and was not sent (unchanged TOAST): carry the current value forward. */
  readonly unchanged: readonly string[];
  readonly position: SourcePosition;
  /** When the source committed the change, ms since the epoch (freshness metrics). */
  readonly commitTimeMs?: number;
  /** True when the change is a snapshot read (Debezium op `r`), not a streamed change. */
  readonly snapshot?: boolean;
  readonly origin?: KafkaOrigin;
}
