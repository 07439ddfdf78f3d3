/**
 * Debezium's `source` block → floe's SourcePosition, commit time and snapshot flag.
 * PostgreSQL: `lsn` (the change's own LSN), `txId`, `sequence` = JSON text
 * `["<lastCommitLsn>","<lsn>"]`. Measured with 3.6.1 + pgoutput: lastCommitLsn is the first
 * LSN of the change's transaction (null in snapshots), NOT its commit LSN, so it is kept as
 * `lastCommitLsn` and `commitLsn` stays unset. Oracle: `scn`, `commit_scn` (decimal strings).
 * `source.ts_ms` is the source commit time (Oracle: `commit_ts_ms` when present, as its `ts_ms`
 * is the change's own time).
 */
import type { SourcePosition } from '../../core/change.ts';
import { BadEventError } from '../../core/errors.ts';
import type { JsonValue } from '../../iceberg/spec/lossless-json.ts';
import { isObject, previewValue } from './json-text.ts';

/** What the source block says about a change. */
export interface SourceInfo {
  readonly position: SourcePosition;
  readonly commitTimeMs?: number;
  /** True for snapshot reads (`snapshot` is true/first/last/last_in_data_collection/incremental...). */
  readonly snapshot: boolean;
}

/** An integer-valued source field (number, bigint or decimal string) as bigint; undefined when absent/null. */
function bigintField(source: { [k: string]: JsonValue }, name: string): bigint | undefined {
  const v = source[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new BadEventError(`source.${name} is not an integer: ${previewValue(v)}`);
}

const SEQUENCE = /^\[(?:"(\d+)"|null),(?:"\d+"|null)\]$/;

/**
 * The first LSN of `sequence` text `["a","b"]` (Debezium's lastCommitLsn; null → undefined).
 * The second is only checked: floe does not use it. Source blocks the scan reads (source-scan.ts)
 * never come here.
 */
function firstOfSequence(v: JsonValue | undefined): bigint | undefined {
  if (typeof v !== 'string') return undefined;
  // The connector's own form, `["123","456"]` or with null: read without JSON.parse.
  const m = SEQUENCE.exec(v);
  if (m !== null) return m[1] === undefined ? undefined : BigInt(m[1]);
  let parts: unknown;
  try {
    parts = JSON.parse(v);
  } catch (cause) {
    throw new BadEventError(`source.sequence is not JSON: ${previewValue(v)}`, { cause });
  }
  if (!Array.isArray(parts) || parts.length !== 2) throw new BadEventError(`source.sequence is not a pair: ${previewValue(v)}`);
  const first: unknown = parts[0];
  return typeof first === 'string' && /^\d+$/.test(first) ? BigInt(first) : undefined;
}

const NOT_SNAPSHOT = new Set(['false', '']);

/** Reads `source`; absent fields stay unset. Throws BadEventError when a present field is malformed. */
export function readSource(source: JsonValue | undefined): SourceInfo {
  if (!isObject(source)) return { position: {}, snapshot: false };
  const lastCommitLsn = firstOfSequence(source.sequence);
  const position: { -readonly [K in keyof SourcePosition]: SourcePosition[K] } = {};
  const lsn = bigintField(source, 'lsn');
  if (lsn !== undefined) position.lsn = lsn;
  if (lastCommitLsn !== undefined) position.lastCommitLsn = lastCommitLsn;
  const txId = bigintField(source, 'txId') ?? bigintField(source, 'txid');
  if (txId !== undefined) position.txId = txId;
  const scn = bigintField(source, 'scn');
  if (scn !== undefined) position.scn = scn;
  const commitScn = bigintField(source, 'commit_scn');
  if (commitScn !== undefined) position.commitScn = commitScn;
  const ts = typeof source.commit_ts_ms === 'number' ? source.commit_ts_ms : source.ts_ms;
  const snap = source.snapshot;
  const snapshot = snap === true || (typeof snap === 'string' && !NOT_SNAPSHOT.has(snap));
  return typeof ts === 'number' ? { position, commitTimeMs: ts, snapshot } : { position, snapshot };
}
