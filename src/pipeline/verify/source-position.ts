/**
 * Which source position an Iceberg snapshot reflects, and what can soundly be said about the
 * source having moved on by the time verify read it. Pure.
 *
 * The position comes from the newest snapshot on the compared snapshot's ancestry that records
 * one: a sync checkpoint (`floe.source.position` and/or `floe.kafka.offsets`) or a load
 * watermark (`floe.source.pg-snapshot`, `floe.source.lsn`). A pg-logical sync commit also writes
 * `floe.source.lsn`, so the sync keys are looked for first; a load after a sync (reload) is newer
 * on main and wins, as does a sync after a load.
 *
 * After a load both PostgreSQL snapshots are known, so the transactions that ended between them
 * can be counted (pg-snapshot.ts). After a sync only the last applied transaction's id is known,
 * which bounds nothing: a transaction with a smaller xid may commit after it and one with a
 * larger xid before it, and which of them were running then was not recorded. So a sync
 * position is compared by LSN only: every transaction verify's snapshot sees committed before
 * verify's LSN (read after its snapshot, as the WAL insert position), and sync has applied every
 * transaction committed at or before its recorded LSN.
 */
import { decodeOffsets, decodePosition, KAFKA_OFFSETS_KEY, PG_SNAPSHOT_KEY, SOURCE_LSN_KEY, SOURCE_POSITION_KEY, type KafkaOffsets } from '../../cdc/apply/checkpoint.ts';
import { formatLsn, parseLsn } from '../../core/lsn.ts';
import type { Snapshot, TableMetadata } from '../../iceberg/spec/types.ts';
import type { SourcePosition } from './pg-side.ts';
import { parsePgSnapshot, transactionsEndedBetween } from './pg-snapshot.ts';

/** The source position an Iceberg snapshot reflects, as floe's load or sync recorded it. */
export interface RecordedPosition {
  readonly by: 'load' | 'sync';
  /** The snapshot whose summary records it: the compared one or its newest ancestor with a position. */
  readonly icebergSnapshotId: bigint;
  /** pg_lsn text. Load: its watermark (WAL position before its snapshot). Sync: see `lsnOf`. */
  readonly lsn?: string;
  /** Sync: `commit` = commit LSN of the last applied transaction (pg-logical); `change` = the last applied change's own LSN (Debezium), its commit follows. */
  readonly lsnOf?: 'commit' | 'change';
  /** Load: pg_current_snapshot() text of its snapshot. */
  readonly snapshot?: string;
  /** Sync: id of the last applied transaction (pg-logical: the 32-bit xid), when recorded. */
  readonly txId?: bigint;
  /** Sync through Kafka: the next offset to consume per topic and partition. */
  readonly kafkaOffsets?: KafkaOffsets;
  /** Sync: why the recorded position could not be read (a malformed summary value). */
  readonly unreadable?: string;
}

/** What the recorded position and verify's own read say about changes the Iceberg snapshot may lack. */
export type PositionAssessment =
  /** Load: no transaction (with an xid, in any table) ended between the load's snapshot and verify's. */
  | { readonly state: 'unchanged' }
  /** Load: this many transactions ended between the load's snapshot and verify's. */
  | { readonly state: 'changed'; readonly transactionsEnded: bigint }
  /** Sync: verify's LSN is past the recorded one by `walBytes` (WAL of any table or database). LSNs as pg_lsn text. */
  | { readonly state: 'sync-behind'; readonly recordedLsn: string; readonly verifyLsn: string; readonly walBytes: bigint }
  /** Sync: the recorded LSN is at or past verify's, so every change verify's snapshot sees was applied. */
  | { readonly state: 'sync-caught-up'; readonly recordedLsn: string; readonly verifyLsn: string }
  | { readonly state: 'unknown'; readonly reason: string };

function syncPosition(snapshot: Snapshot): RecordedPosition {
  const base = { by: 'sync' as const, icebergSnapshotId: snapshot.snapshotId };
  const offsetsText = snapshot.summary[KAFKA_OFFSETS_KEY];
  const positionText = snapshot.summary[SOURCE_POSITION_KEY];
  try {
    const kafkaOffsets = offsetsText === undefined ? undefined : decodeOffsets(offsetsText);
    const position = positionText === undefined ? {} : decodePosition(positionText);
    const lsn = position.commitLsn ?? position.lsn;
    return {
      ...base,
      ...(lsn === undefined ? {} : { lsn: formatLsn(lsn), lsnOf: position.commitLsn === undefined ? 'change' : 'commit' }),
      ...(position.txId === undefined ? {} : { txId: position.txId }),
      ...(kafkaOffsets === undefined ? {} : { kafkaOffsets }),
    };
  } catch (error) {
    return { ...base, unreadable: (error as Error).message };
  }
}

function loadPosition(snapshot: Snapshot): RecordedPosition {
  const lsnText = snapshot.summary[SOURCE_LSN_KEY];
  const pgSnapshot = snapshot.summary[PG_SNAPSHOT_KEY];
  let lsn = lsnText;
  try {
    if (lsnText !== undefined) lsn = formatLsn(parseLsn(lsnText)); // older loads wrote decimal
  } catch {
    // shown as recorded
  }
  return { by: 'load', icebergSnapshotId: snapshot.snapshotId, ...(lsn === undefined ? {} : { lsn }), ...(pgSnapshot === undefined ? {} : { snapshot: pgSnapshot }) };
}

/**
 * The position of the newest snapshot recording one, walking parents from `snapshotId` (the
 * compared snapshot; undefined: the table has none). Null when neither load nor sync recorded one.
 */
export function recordedPosition(metadata: Pick<TableMetadata, 'snapshots'>, snapshotId: bigint | undefined): RecordedPosition | null {
  const byId = new Map(metadata.snapshots.map((s) => [s.snapshotId, s]));
  for (let s = snapshotId === undefined ? undefined : byId.get(snapshotId); s !== undefined; s = s.parentSnapshotId === undefined ? undefined : byId.get(s.parentSnapshotId)) {
    if (s.summary[SOURCE_POSITION_KEY] !== undefined || s.summary[KAFKA_OFFSETS_KEY] !== undefined) return syncPosition(s);
    if (s.summary[PG_SNAPSHOT_KEY] !== undefined || s.summary[SOURCE_LSN_KEY] !== undefined) return loadPosition(s);
  }
  return null;
}

function assessLoad(recorded: RecordedPosition, verify: SourcePosition): PositionAssessment {
  if (recorded.snapshot === undefined) return { state: 'unknown', reason: 'the load recorded no PostgreSQL snapshot' };
  const before = parsePgSnapshot(recorded.snapshot);
  const after = parsePgSnapshot(verify.snapshot);
  const ended = before && after ? transactionsEndedBetween(before, after) : undefined;
  if (ended === undefined) return { state: 'unknown', reason: `the load's snapshot ${recorded.snapshot} is not comparable with verify's ${verify.snapshot}` };
  return ended === 0n ? { state: 'unchanged' } : { state: 'changed', transactionsEnded: ended };
}

function assessSync(recorded: RecordedPosition, verify: SourcePosition): PositionAssessment {
  if (recorded.unreadable !== undefined) return { state: 'unknown', reason: `the sync checkpoint is unreadable: ${recorded.unreadable}` };
  if (recorded.lsn === undefined) return { state: 'unknown', reason: 'the sync checkpoint records no PostgreSQL LSN' };
  if (verify.lsn === null) return { state: 'unknown', reason: "verify could not read the source's WAL position" };
  const lsns = { recordedLsn: recorded.lsn, verifyLsn: formatLsn(parseLsn(verify.lsn)) };
  const gap = parseLsn(verify.lsn) - parseLsn(recorded.lsn);
  return gap > 0n ? { state: 'sync-behind', ...lsns, walBytes: gap } : { state: 'sync-caught-up', ...lsns };
}

/** Compares the recorded position with where verify read the source. */
export function assessPosition(recorded: RecordedPosition | null, verify: SourcePosition): PositionAssessment {
  if (recorded === null) return { state: 'unknown', reason: 'no comparable position recorded' };
  return recorded.by === 'load' ? assessLoad(recorded, verify) : assessSync(recorded, verify);
}
