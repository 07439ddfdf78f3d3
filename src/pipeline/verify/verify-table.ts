/**
 * `verify`: compares a PostgreSQL table with its Iceberg table. Both sides reduce every row to
 * canonical texts and the same order-independent checksums (row count, per-column non-null
 * count and Σ md5-derived values, per-row hash, in 4096 key buckets). PostgreSQL computes its
 * side in one aggregate query inside a REPEATABLE READ transaction, while floe scans the Iceberg
 * snapshot at the same time. When buckets differ, the first of them are fetched from both sides
 * and diffed by key (or as multisets of rows when the table has no key). The source position
 * the Iceberg snapshot reflects is compared with verify's own (source-position.ts). With a
 * sync wait (sync-wait.ts) the Iceberg table is loaded only after floe's slot has been seen to
 * confirm verify's LSN; otherwise before the verify transaction, as always.
 */
import type pg from 'pg';
import type { Catalog } from '../../catalog/catalog.ts';
import type { FileIO } from '../../io/file-io.ts';
import { fileIOFor } from '../../io/registry.ts';
import { currentSnapshot, snapshotById } from '../../iceberg/table/metadata-access.ts';
import type { TableIdentifier } from '../../iceberg/spec/types.ts';
import { introspectTable } from '../../sources/postgres/introspector.ts';
import type { MappingOptions } from '../../sources/postgres/type-mapping.ts';
import type { Checksums } from './checksum.ts';
import { chooseBuckets, compareChecksums, KeyedDiff, MultisetDiff, type ChecksumComparison, type RowDifference } from './diff.ts';
import { icebergChecksums, icebergKeyedDiff, icebergMultisetDiff, type IcebergSource } from './iceberg-side.ts';
import { PgVerifySession, type SourcePosition } from './pg-side.ts';
import { assessPosition, recordedPosition, type PositionAssessment, type RecordedPosition } from './source-position.ts';
import { confirmedLsnReader, waitForSlot, type SyncWait, type SyncWaitRequest } from './sync-wait.ts';
import { planVerify, type PlanTableSettings, type VerifyPlan } from './verify-plan.ts';

/** Table property the loader writes: JSON list of the key columns it used, [] = keyless. */
export const PROPERTY_PRIMARY_KEY = 'floe.primary-key';

function loadedKey(properties: Readonly<Record<string, string>>): string[] | undefined {
  const text = properties[PROPERTY_PRIMARY_KEY];
  if (text === undefined) return undefined;
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) && parsed.every((x) => typeof x === 'string') ? parsed : undefined;
}

/** Longest value text kept for display (longer ones end in …). */
export const MAX_VALUE_CHARS = 200;

export interface VerifyTableInput {
  /** A connected client to the source; verify runs one read-only transaction on it. */
  readonly client: pg.ClientBase;
  readonly catalog: Catalog;
  /** Defaults to the FileIO for the table location's scheme. */
  readonly io?: FileIO;
  readonly source: { readonly schema: string; readonly table: string };
  readonly target: TableIdentifier;
  readonly options: MappingOptions;
  readonly settings?: PlanTableSettings;
  /** Defaults to the current snapshot of main. */
  readonly snapshotId?: bigint;
  /** Differences to report (default 10). */
  readonly maxDifferences?: number;
  /** Wait for floe's pg-logical slot to confirm verify's LSN before loading the Iceberg table (not with `snapshotId`). */
  readonly waitForSync?: SyncWaitRequest;
}

/** One reported difference; values are canonical texts (see canonical-js.ts), cut to MAX_VALUE_CHARS. */
export interface DifferenceReport {
  readonly kind: RowDifference['kind'];
  readonly key?: readonly (string | null)[]; // key columns' texts, in key order
  readonly row?: string; // keyless: the row text
  readonly count?: number; // keyless: extra copies on one side
  readonly columns?: readonly { readonly name: string; readonly source: string | null; readonly iceberg: string | null }[];
}

export interface VerifyResult {
  readonly plan: VerifyPlan;
  readonly icebergSnapshotId: bigint | null;
  readonly match: boolean;
  readonly comparison: ChecksumComparison;
  /** Differences found in the buckets checked (may be fewer than all), the first `maxDifferences` of them. */
  readonly differences: readonly DifferenceReport[];
  readonly differencesFound: number;
  readonly bucketsChecked: number;
  readonly positions: {
    /** What the Iceberg snapshot reflects, as the newest load or sync commit on its ancestry recorded it; null: none did. */
    readonly recorded: RecordedPosition | null;
    readonly verify: SourcePosition;
    /** Whether the source may have changed since the recorded position, as far as can soundly be said. */
    readonly assessment: PositionAssessment;
    /** When a sync wait was asked for: whether floe's slot confirmed verify's LSN before the Iceberg table was loaded. */
    readonly syncWait?: SyncWait;
  };
}

const cut = (t: string | null | undefined): string | null => (t === null || t === undefined ? null : t.length > MAX_VALUE_CHARS ? `${t.slice(0, MAX_VALUE_CHARS)}…` : t);

async function diffBuckets(session: PgVerifySession, iceberg: IcebergSource | undefined, plan: VerifyPlan, buckets: number[]): Promise<RowDifference[]> {
  const set = new Set(buckets);
  if (plan.keyIndexes.length === 0) {
    const diff = new MultisetDiff(await session.keylessRows(plan, buckets));
    if (iceberg) await icebergMultisetDiff(iceberg, plan, set, diff);
    return diff.finish();
  }
  const diff = new KeyedDiff(await session.keyedRows(plan, buckets));
  if (iceberg) await icebergKeyedDiff(iceberg, plan, set, diff, MAX_VALUE_CHARS);
  return diff.finish();
}

async function reportDifferences(session: PgVerifySession, plan: VerifyPlan, buckets: number[], found: RowDifference[]): Promise<DifferenceReport[]> {
  const differing = found.filter((d) => d.kind === 'values-differ').map((d) => d.key!);
  const sourceTexts = await session.keyValues(plan, buckets, differing, MAX_VALUE_CHARS);
  return found.map((d): DifferenceReport => {
    if (d.key === undefined) return { kind: d.kind, row: cut(d.row) ?? '', count: d.count ?? 1 };
    const key = JSON.parse(d.key) as (string | null)[];
    if (d.kind !== 'values-differ') return { kind: d.kind, key };
    const src = sourceTexts.get(d.key) ?? [];
    const columns = (d.columns ?? []).map((i) => ({ name: plan.columns[i]!.name, source: cut(src[i]), iceberg: cut(d.icebergTexts?.get(i)) }));
    return { kind: d.kind, key, columns };
  });
}

async function loadIceberg(input: VerifyTableInput) {
  const loaded = await input.catalog.loadTable(input.target);
  const snapshot = input.snapshotId === undefined ? currentSnapshot(loaded.metadata) : snapshotById(loaded.metadata, input.snapshotId);
  const io = input.io ?? fileIOFor(loaded.metadata.location);
  const iceberg: IcebergSource | undefined = snapshot === undefined ? undefined : { io, metadata: loaded.metadata, snapshotId: snapshot.snapshotId };
  const schema = loaded.metadata.schemas.find((s) => s.schemaId === loaded.metadata.currentSchemaId)!;
  return { metadata: loaded.metadata, snapshot, iceberg, schema };
}

/** Runs the comparison. Errors (connection, missing table, unsupported type) are thrown. */
export async function verifyTable(input: VerifyTableInput): Promise<VerifyResult> {
  const wait = input.waitForSync;
  if (wait?.slot !== undefined && input.snapshotId !== undefined) throw new Error('verify: a sync wait compares the current Iceberg snapshot, not a chosen one');
  // Without a wait the Iceberg side is loaded first, as it always was; with one, after the slot was seen to confirm verify's LSN.
  const early = wait?.slot === undefined ? await loadIceberg(input) : undefined;
  const session = await PgVerifySession.begin(input.client);
  let committed = false;
  try {
    const syncWait = wait === undefined ? undefined : await waitForSlot(confirmedLsnReader(input.client), wait, session.position.lsn);
    const { metadata, snapshot, iceberg, schema } = early ?? (await loadIceberg(input));
    const table = await introspectTable(input.client, input.source.schema, input.source.table);
    const settings = { loadedKey: loadedKey(metadata.properties), ...input.settings };
    const plan = planVerify(table, schema, input.target, input.options, settings);
    const empty: Checksums = new Map();
    const [sourceSums, icebergSums] = await Promise.all([session.checksums(plan), iceberg ? icebergChecksums(iceberg, plan) : empty]);
    const comparison = compareChecksums(plan.columns.map((c) => c.name), sourceSums, icebergSums);
    const buckets = comparison.match ? [] : chooseBuckets(comparison, sourceSums, icebergSums);
    const found = buckets.length === 0 ? [] : await diffBuckets(session, iceberg, plan, buckets);
    const differences = await reportDifferences(session, plan, buckets, found.slice(0, input.maxDifferences ?? 10));
    await session.end();
    committed = true;
    const recorded = recordedPosition(metadata, snapshot?.snapshotId);
    return {
      plan,
      icebergSnapshotId: snapshot?.snapshotId ?? null,
      match: comparison.match && plan.missingInIceberg.length === 0 && plan.extraInIceberg.length === 0,
      comparison,
      differences,
      differencesFound: found.length,
      bucketsChecked: buckets.length,
      positions: { recorded, verify: session.position, assessment: assessPosition(recorded, session.position), ...(syncWait === undefined ? {} : { syncWait }) },
    };
  } finally {
    if (!committed) await input.client.query('ROLLBACK').catch(() => undefined);
  }
}
