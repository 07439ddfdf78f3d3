/**
 * Exactly once, with the table as the checkpoint. Every sync commit carries, in its snapshot
 * summary, the Kafka offsets to resume from and the last source position applied; on start
 * the newest snapshot that has them says where to resume. A bulk load's commit carries the
 * point its rows were read at, and `alreadyLoaded` decides whether a change is in it. Pure.
 *
 * Snapshot expiry can remove every snapshot that carried a checkpoint (another engine's
 * compaction on top, then `expire_snapshots`). So each sync commit also sets the table property
 * `floe.sync.checkpoint` in the same metadata commit; it is read only when main's ancestry has
 * no checkpoint, its snapshot has expired, and main's history was cut (a rollback past it is not
 * mistaken for expiry while the snapshot or main's root is still there).
 *
 * Summary keys (values are strings, as the spec requires):
 *   floe.kafka.offsets      JSON {"topic": {"partition": nextOffset}}, offsets as decimal strings
 *   floe.source.position    JSON of a SourcePosition, bigints as decimal strings
 *   floe.commit-id          the commit's unique id (snapshot-producer sets it)
 *   floe.source.pg-snapshot a load's pg_current_snapshot() text `xmin:xmax:xip1,xip2,...`
 *   floe.source.lsn         a load's watermark LSN, decimal
 *   floe.source.scn         a load's watermark SCN (Oracle), decimal
 *
 * Table property:
 *   floe.sync.checkpoint    JSON {"floe.commit-id": "...", "floe.kafka.offsets": {...}, "floe.source.position": {...}}:
 *                           the newest sync commit's checkpoint keys, their JSON values inlined
 */
import { BadEventError } from '../../core/errors.ts';
import { parseLsn } from '../../core/lsn.ts';
import type { Change, SourcePosition } from '../../core/change.ts';
import type { Snapshot, TableMetadata } from '../../iceberg/spec/types.ts';
import { COMMIT_ID_KEY } from '../../iceberg/table/commit.ts';
import { currentSnapshot } from '../../iceberg/table/metadata-access.ts';

export const KAFKA_OFFSETS_KEY = 'floe.kafka.offsets';
export const SOURCE_POSITION_KEY = 'floe.source.position';
export const PG_SNAPSHOT_KEY = 'floe.source.pg-snapshot';
export const SOURCE_LSN_KEY = 'floe.source.lsn';
export const SOURCE_SCN_KEY = 'floe.source.scn';
export const CHECKPOINT_PROPERTY = 'floe.sync.checkpoint';
export { COMMIT_ID_KEY };

/** Next offset to consume per topic and partition. */
export type KafkaOffsets = ReadonlyMap<string, ReadonlyMap<number, bigint>>;

const POSITION_FIELDS = ['lsn', 'commitLsn', 'txId', 'scn', 'commitScn', 'sequence'] as const;

/** `floe.kafka.offsets` text of `offsets` (topics and partitions sorted, so equal maps give equal text). */
export function encodeOffsets(offsets: KafkaOffsets): string {
  const out: Record<string, Record<string, string>> = {};
  for (const topic of [...offsets.keys()].sort()) {
    const parts = offsets.get(topic)!;
    out[topic] = Object.fromEntries([...parts.keys()].sort((a, b) => a - b).map((p) => [String(p), parts.get(p)!.toString()]));
  }
  return JSON.stringify(out);
}

/** Offsets from `floe.kafka.offsets` text; throws BadEventError naming the bad entry. */
export function decodeOffsets(text: string): KafkaOffsets {
  const parsed = JSON.parse(text) as Record<string, Record<string, string | number>>;
  const out = new Map<string, Map<number, bigint>>();
  for (const [topic, parts] of Object.entries(parsed)) {
    const m = new Map<number, bigint>();
    for (const [p, o] of Object.entries(parts)) {
      if (!/^\d+$/.test(p) || !/^\d+$/.test(String(o))) throw new BadEventError(`${KAFKA_OFFSETS_KEY}: bad offset ${topic}[${p}] = ${String(o)}`);
      m.set(Number(p), BigInt(o));
    }
    out.set(topic, m);
  }
  return out;
}

/** `previous` with `batch`'s partitions replaced: what a commit stores, so every partition stays known. */
export function mergeOffsets(previous: KafkaOffsets, batch: KafkaOffsets): KafkaOffsets {
  const out = new Map<string, Map<number, bigint>>();
  for (const [t, parts] of previous) out.set(t, new Map(parts));
  for (const [t, parts] of batch) {
    const m = out.get(t) ?? new Map<number, bigint>();
    for (const [p, o] of parts) m.set(p, o);
    out.set(t, m);
  }
  return out;
}

/** Next offsets after the changes of a batch (highest offset + 1 per partition). */
export function offsetsAfter(changes: readonly Change[]): KafkaOffsets {
  const out = new Map<string, Map<number, bigint>>();
  for (const c of changes) {
    if (c.origin === undefined) continue;
    const m = out.get(c.origin.topic) ?? new Map<number, bigint>();
    const next = c.origin.offset + 1n;
    if ((m.get(c.origin.partition) ?? -1n) < next) m.set(c.origin.partition, next);
    out.set(c.origin.topic, m);
  }
  return out;
}

/** `floe.source.position` text: the defined fields, bigints as decimal strings. */
export function encodePosition(position: SourcePosition): string {
  const out: Record<string, string> = {};
  for (const f of POSITION_FIELDS) if (position[f] !== undefined) out[f] = position[f]!.toString();
  return JSON.stringify(out);
}

/** A SourcePosition from `floe.source.position` text. */
export function decodePosition(text: string): SourcePosition {
  const parsed = JSON.parse(text) as Record<string, string>;
  const out: Record<string, bigint> = {};
  for (const f of POSITION_FIELDS) {
    const v = parsed[f];
    if (v === undefined) continue;
    if (!/^-?\d+$/.test(v)) throw new BadEventError(`${SOURCE_POSITION_KEY}: field ${f} is not an integer: ${v}`);
    out[f] = BigInt(v);
  }
  return out;
}

/** The summary keys a sync commit carries. */
export function checkpointSummary(offsets: KafkaOffsets | null, position: SourcePosition | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (offsets !== null) out[KAFKA_OFFSETS_KEY] = encodeOffsets(offsets);
  if (position !== null) out[SOURCE_POSITION_KEY] = encodePosition(position);
  return out;
}

/** The checkpoint keys of a summary (offsets, position), as stored. */
function checkpointKeys(summary: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [KAFKA_OFFSETS_KEY, SOURCE_POSITION_KEY]) if (summary[k] !== undefined) out[k] = summary[k];
  return out;
}

/** True when a summary carries a sync checkpoint. */
export function hasCheckpoint(summary: Readonly<Record<string, string>>): boolean {
  return summary[KAFKA_OFFSETS_KEY] !== undefined || summary[SOURCE_POSITION_KEY] !== undefined;
}

/**
 * The `floe.sync.checkpoint` property a sync commit sets beside its snapshot: the checkpoint keys
 * of its summary and its commit id. Empty when the summary carries no checkpoint.
 */
export function checkpointProperty(summary: Readonly<Record<string, string>>, commitId: string): Record<string, string> {
  if (!hasCheckpoint(summary)) return {};
  const inlined: Record<string, unknown> = { [COMMIT_ID_KEY]: commitId };
  for (const [k, v] of Object.entries(checkpointKeys(summary))) inlined[k] = JSON.parse(v) as unknown;
  return { [CHECKPOINT_PROPERTY]: JSON.stringify(inlined) };
}

/** Commit id and summary keys of a `floe.sync.checkpoint` property; throws BadEventError when malformed. */
function decodeCheckpointProperty(text: string): { commitId: string; keys: Record<string, string> } {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const commitId = parsed[COMMIT_ID_KEY];
  if (typeof commitId !== 'string') throw new BadEventError(`${CHECKPOINT_PROPERTY}: no ${COMMIT_ID_KEY} in ${text}`);
  const keys: Record<string, string> = {};
  for (const k of [KAFKA_OFFSETS_KEY, SOURCE_POSITION_KEY]) if (parsed[k] !== undefined) keys[k] = JSON.stringify(parsed[k]);
  return { commitId, keys };
}

/** Where to resume, as the newest floe sync commit recorded it. */
export interface Checkpoint {
  /** The snapshot that carries it; null when it came from the table property (that snapshot expired). */
  readonly snapshotId: bigint | null;
  readonly commitId: string | null;
  /** `snapshot`: a summary on main's ancestry; `property`: floe.sync.checkpoint, after expiry. */
  readonly from: 'snapshot' | 'property';
  /** The checkpoint's summary keys as stored (floe.kafka.offsets, floe.source.position, floe.commit-id). */
  readonly summary: Readonly<Record<string, string>>;
  readonly offsets: KafkaOffsets;
  readonly position: SourcePosition | null;
}

/** Walks main back from its head (parents only); the first snapshot `has` accepts, and whether the walk reached a root. */
function walkMain(metadata: TableMetadata, has: (s: Snapshot) => boolean): { found: Snapshot | undefined; reachedRoot: boolean } {
  // built only when the head is not the one: a sync's own last commit usually is (checked twice a batch)
  let byId: Map<bigint, Snapshot> | undefined;
  let s = currentSnapshot(metadata);
  if (s === undefined) return { found: undefined, reachedRoot: true };
  for (;;) {
    if (has(s)) return { found: s, reachedRoot: false };
    if (s.parentSnapshotId === undefined) return { found: undefined, reachedRoot: true };
    byId ??= new Map(metadata.snapshots.map((x) => [x.snapshotId, x]));
    const parent = byId.get(s.parentSnapshotId);
    if (parent === undefined) return { found: undefined, reachedRoot: false };
    s = parent;
  }
}

/** The newest snapshot on main's ancestry that `has` accepts. */
function newestOnMain(metadata: TableMetadata, has: (s: Snapshot) => boolean): Snapshot | undefined {
  return walkMain(metadata, has).found;
}

function checkpointOf(snapshotId: bigint | null, commitId: string | null, from: Checkpoint['from'], keys: Record<string, string>): Checkpoint {
  const offsets = keys[KAFKA_OFFSETS_KEY];
  const position = keys[SOURCE_POSITION_KEY];
  return {
    snapshotId,
    commitId,
    from,
    summary: { ...keys, ...(commitId === null ? {} : { [COMMIT_ID_KEY]: commitId }) },
    offsets: offsets === undefined ? new Map() : decodeOffsets(offsets),
    position: position === undefined ? null : decodePosition(position),
  };
}

/**
 * The checkpoint of the newest snapshot on main with floe's sync keys; else the
 * floe.sync.checkpoint property when the snapshot it names has expired and main's history was
 * cut below its head (expiry, not a rollback); else null (never synced, or rolled back past it).
 */
export function readCheckpoint(metadata: TableMetadata): Checkpoint | null {
  const walk = walkMain(metadata, (x) => hasCheckpoint(x.summary));
  const s = walk.found;
  if (s !== undefined) return checkpointOf(s.snapshotId, s.summary[COMMIT_ID_KEY] ?? null, 'snapshot', checkpointKeys(s.summary));
  const text = metadata.properties[CHECKPOINT_PROPERTY];
  if (text === undefined || walk.reachedRoot) return null;
  const { commitId, keys } = decodeCheckpointProperty(text);
  // still there but not on main: main was rolled back past that commit
  if (metadata.snapshots.some((x) => x.summary[COMMIT_ID_KEY] === commitId)) return null;
  return checkpointOf(null, commitId, 'property', keys);
}

/** A pg_current_snapshot(): xids below xmin are finished, at or above xmax not yet started, xip in progress. */
export interface PgSnapshot {
  readonly xmin: bigint;
  readonly xmax: bigint;
  readonly xip: ReadonlySet<bigint>;
}

/** Parses `xmin:xmax:xip1,xip2,...` (pg_snapshot / txid_snapshot text). */
export function parsePgSnapshot(text: string): PgSnapshot {
  const m = /^(\d+):(\d+):([\d,]*)$/.exec(text.trim());
  if (m === null) throw new BadEventError(`${PG_SNAPSHOT_KEY}: not a pg_snapshot: '${text}'`);
  const xip = new Set(m[3] === '' ? [] : m[3]!.split(',').map((x) => BigInt(x)));
  return { xmin: BigInt(m[1]!), xmax: BigInt(m[2]!), xip };
}

const EPOCH = 2n ** 32n;

/**
 * The 64-bit xid for `txId` as seen from `snapshot`. Debezium's PostgreSQL txId is the 32-bit
 * xid; a live xid is always within 2^31 of the snapshot's xmax (wraparound protection), so the
 * 64-bit value is the one with the 32-bit low part closest to xmax. Full 64-bit ids map to themselves.
 */
export function widenXid(txId: bigint, snapshot: PgSnapshot): bigint {
  const low = BigInt.asUintN(32, txId);
  let x = (snapshot.xmax / EPOCH) * EPOCH + low;
  if (x > snapshot.xmax + EPOCH / 2n) x -= EPOCH;
  else if (x < snapshot.xmax - EPOCH / 2n) x += EPOCH;
  return x;
}

/** True when transaction `txId` (32- or 64-bit) had committed before `snapshot` was taken. */
export function visibleInSnapshot(snapshot: PgSnapshot, txId: bigint): boolean {
  const x = widenXid(txId, snapshot);
  if (x < snapshot.xmin) return true;
  if (x >= snapshot.xmax) return false;
  return !snapshot.xip.has(x);
}

/** What a bulk load read: the source state its rows reflect. */
export interface LoadWatermark {
  readonly snapshotId: bigint;
  readonly pgSnapshot?: PgSnapshot;
  readonly lsn?: bigint;
  readonly scn?: bigint;
}

const LOAD_WATERMARK_KEYS = [PG_SNAPSHOT_KEY, SOURCE_LSN_KEY, SOURCE_SCN_KEY];
const isLoadCommit = (s: Snapshot): boolean => LOAD_WATERMARK_KEYS.some((k) => s.summary[k] !== undefined);

/** The newest snapshot on main carrying a load watermark (floe.source.pg-snapshot / lsn / scn). */
export function loadWatermarkSnapshot(metadata: TableMetadata): Snapshot | undefined {
  return newestOnMain(metadata, isLoadCommit);
}

/**
 * Table property holding the load watermark keys of the newest load commit on main, as JSON:
 * every sync commit sets it, so the watermark outlives the expiry of the snapshots between
 * the load commit and main's head (which the walk from the head needs).
 */
export const LOAD_WATERMARK_PROPERTY = 'floe.load.watermark';

/**
 * The newest load commit's watermark keys on main: from its snapshot, or, when main's history
 * no longer reaches back that far (expired), from LOAD_WATERMARK_PROPERTY; undefined when the
 * table was never loaded by floe.
 */
export function loadWatermarkSummary(metadata: TableMetadata): Record<string, string> | undefined {
  const walk = walkMain(metadata, isLoadCommit);
  const pick = (from: Readonly<Record<string, string>>): Record<string, string> => Object.fromEntries(LOAD_WATERMARK_KEYS.filter((k) => typeof from[k] === 'string').map((k) => [k, from[k]!]));
  if (walk.found !== undefined) return pick(walk.found.summary);
  const text = metadata.properties[LOAD_WATERMARK_PROPERTY];
  if (text === undefined || walk.reachedRoot) return undefined;
  try {
    return pick(JSON.parse(text) as Record<string, string>);
  } catch (error) {
    throw new BadEventError(`table property ${LOAD_WATERMARK_PROPERTY} is not JSON: ${text}`, { cause: error });
  }
}

/** The table properties a sync commit sets to carry the load watermark past snapshot expiry. */
export function loadWatermarkProperty(metadata: TableMetadata): Record<string, string> {
  const keys = loadWatermarkSummary(metadata);
  if (keys === undefined) return {};
  const text = JSON.stringify(keys);
  return metadata.properties[LOAD_WATERMARK_PROPERTY] === text ? {} : { [LOAD_WATERMARK_PROPERTY]: text };
}

/** The watermark of the newest load commit on main, or null when the table was never loaded by floe. */
export function readLoadWatermark(metadata: TableMetadata): LoadWatermark | null {
  const s = loadWatermarkSnapshot(metadata);
  if (s === undefined) return null;
  // LSNs are pg_lsn text (`0/16B3748`); SCNs are decimal, which parseLsn reads too
  const num = (k: string): bigint | undefined => {
    const v = s.summary[k];
    return v === undefined ? undefined : parseLsn(v);
  };
  const pg = s.summary[PG_SNAPSHOT_KEY];
  const lsn = num(SOURCE_LSN_KEY);
  const scn = num(SOURCE_SCN_KEY);
  return {
    snapshotId: s.snapshotId,
    ...(pg === undefined ? {} : { pgSnapshot: parsePgSnapshot(pg) }),
    ...(lsn === undefined ? {} : { lsn }),
    ...(scn === undefined ? {} : { scn }),
  };
}

/**
 * True when the change is already in the loaded rows, so applying it again must be skipped.
 * Decided by the change's transaction's visibility in the load's snapshot when both are known,
 * else by commit position (commit LSN / commit SCN ≤ watermark). A change with neither is not
 * skipped: keyed upserts and deletes re-apply idempotently.
 */
export function alreadyLoaded(position: SourcePosition, watermark: LoadWatermark): boolean {
  if (watermark.pgSnapshot !== undefined && position.txId !== undefined) return visibleInSnapshot(watermark.pgSnapshot, position.txId);
  if (watermark.lsn !== undefined && position.commitLsn !== undefined) return position.commitLsn <= watermark.lsn;
  if (watermark.scn !== undefined && position.commitScn !== undefined) return position.commitScn <= watermark.scn;
  return false;
}
