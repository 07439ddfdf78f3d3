/**
 * verify's result for people (an aligned table, then the first differing keys and the source
 * positions) and for machines (JSON: exact canonical texts, checksums as decimal strings).
 */
import type { IcebergType } from '../../iceberg/spec/types.ts';
import { humanTime, humanTimestamp } from '../../iceberg/spec/human-string.ts';
import { daysToIsoDate } from '../../iceberg/spec/values.ts';
import { encodeOffsets, type KafkaOffsets } from '../../cdc/apply/checkpoint.ts';
import type { PositionAssessment, RecordedPosition } from './source-position.ts';
import type { SyncWait } from './sync-wait.ts';
import type { DifferenceReport, VerifyResult } from './verify-table.ts';

const INTEGER = /^-?\d+$/;

/** A canonical text shown as people read it: dates and timestamps in ISO 8601, the rest as is. */
export function displayValue(type: IcebergType, text: string | null): string {
  if (text === null) return 'NULL';
  if (!INTEGER.test(text)) return text;
  if (type.type === 'date') return daysToIsoDate(Number(text));
  if (type.type === 'time') return humanTime(BigInt(text));
  if (type.type === 'timestamp' || type.type === 'timestamptz') return humanTimestamp(BigInt(text), type.type === 'timestamptz');
  return text;
}

const dotted = (parts: readonly string[]): string => parts.map((p) => (/^[\w$]+$/u.test(p) ? p : `"${p.replaceAll('"', '""')}"`)).join('.');

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}

function keyOf(result: VerifyResult, d: DifferenceReport): string {
  const { plan } = result;
  if (d.key === undefined) return `row (${d.row})${(d.count ?? 1) > 1 ? ` ×${d.count}` : ''}`;
  return plan.keyIndexes.map((k, i) => `${plan.columns[k]!.name}=${displayValue(plan.columns[k]!.field.type, d.key![i] ?? null)}`).join(', ');
}

const KIND_TEXT: Readonly<Record<DifferenceReport['kind'], string>> = {
  'missing-in-iceberg': 'missing in Iceberg (in the source only)',
  'extra-in-iceberg': 'extra in Iceberg (not in the source)',
  'duplicate-in-iceberg': 'duplicate key in Iceberg',
  'values-differ': 'values differ',
};

function differenceLine(result: VerifyResult, d: DifferenceReport): string {
  let line = `  ${keyOf(result, d)}: ${KIND_TEXT[d.kind]}`;
  if (d.columns !== undefined) {
    const typeOf = (name: string) => result.plan.columns.find((c) => c.name === name)!.field.type;
    line += ` in ${d.columns.map((c) => `${c.name} (source ${displayValue(typeOf(c.name), c.source)}, iceberg ${displayValue(typeOf(c.name), c.iceberg)})`).join(', ')}`;
  }
  return line;
}

const MAX_OFFSETS_SHOWN = 6;

/** `topic[0]=12, topic[1]=7`, the first MAX_OFFSETS_SHOWN of them. */
function offsetsText(offsets: KafkaOffsets): string {
  const all = [...offsets].flatMap(([topic, parts]) => [...parts].map(([p, o]) => `${topic}[${p}]=${o}`));
  const more = all.length - MAX_OFFSETS_SHOWN;
  return all.slice(0, MAX_OFFSETS_SHOWN).join(', ') + (more > 0 ? `, … (${more} more)` : '');
}

/** What the Iceberg snapshot records: `the load recorded …` / `sync recorded …`. */
function recordedText(r: RecordedPosition | null): string {
  if (r === null) return 'the Iceberg snapshot records no source position';
  const where = `Iceberg snapshot ${r.icebergSnapshotId}`;
  if (r.by === 'load') return `the load recorded LSN ${r.lsn ?? '(none)'}, snapshot ${r.snapshot ?? '(none)'} (${where})`;
  const lsn = r.lsn === undefined ? 'no LSN' : r.lsnOf === 'commit' ? `commit LSN ${r.lsn} of the last applied transaction` : `LSN ${r.lsn} of the last applied change`;
  const details = [...(r.txId === undefined ? [] : [`txId ${r.txId}`]), ...(r.kafkaOffsets === undefined ? [] : [`Kafka offsets ${offsetsText(r.kafkaOffsets)}`])];
  return `sync recorded ${lsn}${details.length > 0 ? ` (${details.join('; ')})` : ''} in ${where}`;
}

function assessmentLine(a: PositionAssessment): string {
  switch (a.state) {
    case 'unchanged':
      return 'No source transaction ended since the recorded snapshot: every difference is a real discrepancy.';
    case 'changed':
      return `${a.transactionsEnded} source transaction(s) ended since the recorded snapshot (in any table): differences may be changes made after it.`;
    case 'sync-behind':
      return `The source has WAL after the synced position: verify read at LSN ${a.verifyLsn}, ${a.walBytes} bytes past LSN ${a.recordedLsn} (WAL of any table or database, not only changes to this one): differences may be source changes sync has not applied yet.`;
    case 'sync-caught-up':
      return `Sync is caught up: it applied the source through LSN ${a.recordedLsn}, at or past verify's read at LSN ${a.verifyLsn}, so no change verify saw is waiting to be applied (Iceberg may also hold changes committed after verify's read).`;
    case 'unknown':
      return `Whether the source changed since the Iceberg snapshot is unknown (${a.reason}).`;
  }
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** What waiting for floe's slot showed (sync-wait.ts). */
export function syncWaitLine(w: SyncWait): string {
  switch (w.state) {
    case 'caught-up':
      return `Sync had applied everything up to verify's snapshot: slot ${w.slot} confirmed LSN ${w.confirmedLsn}, at or past verify's read at LSN ${w.verifyLsn} (after ${seconds(w.waitedMs)}), before the Iceberg table was loaded, so no difference is a change waiting to be applied: each is a real discrepancy (or a row changed after verify read it, which sync applied since).`;
    case 'timed-out':
      return `Sync had not caught up within ${seconds(w.timeoutMs)}: slot ${w.slot} confirmed ${w.confirmedLsn === null ? 'no LSN yet' : `LSN ${w.confirmedLsn}`}, before verify's read at LSN ${w.verifyLsn}: differences may be source changes sync has not applied yet.`;
    case 'unavailable':
      return `Verify could not wait for sync (${w.reason}).`;
  }
}

/**
 * The position lines of the text report: what each side read at, and what follows from it. A
 * caught-up sync wait says more than the recorded position can, so its line replaces the assessment.
 */
export function positionLines(result: Pick<VerifyResult, 'positions'>): string[] {
  const { recorded, verify, assessment, syncWait } = result.positions;
  const readAt = `Source positions: ${recordedText(recorded)}; verify read the source at LSN ${verify.lsn ?? '(unknown)'}, snapshot ${verify.snapshot}.`;
  if (syncWait === undefined) return [readAt, assessmentLine(assessment)];
  if (syncWait.state === 'caught-up') return [readAt, syncWaitLine(syncWait)];
  return [readAt, assessmentLine(assessment), syncWaitLine(syncWait)];
}

/** The human report: header, per-column table, schema differences, first differing keys, positions. */
export function formatVerifyText(result: VerifyResult): string {
  const { plan, comparison: c } = result;
  const source = dotted([plan.source.schema, plan.source.table]);
  const target = dotted([...plan.target.namespace, plan.target.name]);
  const out = [`verify ${source} → ${target} (Iceberg snapshot ${result.icebergSnapshotId ?? 'none: empty table'}): ${result.match ? 'MATCH' : 'MISMATCH'}`, ''];
  const status = (ok: boolean) => (ok ? 'match' : 'MISMATCH');
  const rows: string[][] = [['column', 'type', 'source non-null', 'iceberg non-null', 'checksum']];
  rows.push(['(rows)', '', String(c.source.rows), String(c.iceberg.rows), status(c.source.rows === c.iceberg.rows && c.source.rowSum === c.iceberg.rowSum)]);
  c.columns.forEach((col, i) => {
    const type = plan.columns[i]!.field.type;
    const typeText = type.type === 'decimal' ? `decimal(${type.precision},${type.scale})` : type.type === 'list' ? `list<${type.element.type}>` : type.type;
    rows.push([col.name, typeText, String(col.source.nonNull), String(col.iceberg.nonNull), status(col.match)]);
  });
  for (const name of plan.missingInIceberg) rows.push([name, '', 'present', 'absent', 'MISMATCH']);
  for (const name of plan.extraInIceberg) rows.push([name, '', 'absent', 'present', 'MISMATCH']);
  out.push(...table(rows), '');
  if (!c.match) {
    const keyed = plan.keyIndexes.length > 0;
    out.push(`${c.mismatchedBuckets.length} of 4096 ${keyed ? 'key' : 'row'} buckets differ; first differences (${result.differences.length} of ${result.differencesFound} found in ${result.bucketsChecked} bucket(s)):`);
    out.push(...result.differences.map((d) => differenceLine(result, d)), '');
  }
  out.push(...positionLines(result));
  return out.join('\n');
}

/** The JSON report: names, counts, checksums (decimal strings), differences with canonical texts. */
export function verifyJson(result: VerifyResult): unknown {
  const { plan, comparison: c } = result;
  const sums = (s: { nonNull: bigint; sum: bigint }) => ({ nonNull: String(s.nonNull), checksum: String(s.sum) });
  return {
    source: plan.source,
    target: { namespace: plan.target.namespace, name: plan.target.name },
    icebergSnapshotId: result.icebergSnapshotId === null ? null : String(result.icebergSnapshotId),
    match: result.match,
    key: plan.keyIndexes.map((i) => plan.columns[i]!.name),
    rows: { source: String(c.source.rows), iceberg: String(c.iceberg.rows), match: c.source.rows === c.iceberg.rows && c.source.rowSum === c.iceberg.rowSum },
    columns: c.columns.map((col) => ({ name: col.name, source: sums(col.source), iceberg: sums(col.iceberg), match: col.match })),
    missingInIceberg: plan.missingInIceberg,
    extraInIceberg: plan.extraInIceberg,
    mismatchedBuckets: c.mismatchedBuckets.length,
    bucketsChecked: result.bucketsChecked,
    differencesFound: result.differencesFound,
    differences: result.differences.map((d) => ({
      kind: d.kind,
      ...(d.key === undefined ? { row: d.row, count: d.count } : { key: Object.fromEntries(plan.keyIndexes.map((k, i) => [plan.columns[k]!.name, d.key![i] ?? null])) }),
      ...(d.columns === undefined ? {} : { columns: d.columns }),
    })),
    positions: positionsJson(result.positions),
  };
}

/** Positions for machines: ids, xids, offsets and byte counts as decimal strings. */
function positionsJson({ recorded: r, verify, assessment: a, syncWait }: VerifyResult['positions']): unknown {
  const recorded = r === null ? null : {
    by: r.by,
    icebergSnapshotId: String(r.icebergSnapshotId),
    ...(r.lsn === undefined ? {} : { lsn: r.lsn }),
    ...(r.lsnOf === undefined ? {} : { lsnOf: r.lsnOf }),
    ...(r.snapshot === undefined ? {} : { snapshot: r.snapshot }),
    ...(r.txId === undefined ? {} : { txId: String(r.txId) }),
    ...(r.kafkaOffsets === undefined ? {} : { kafkaOffsets: JSON.parse(encodeOffsets(r.kafkaOffsets)) as unknown }),
    ...(r.unreadable === undefined ? {} : { unreadable: r.unreadable }),
  };
  const assessment = a.state === 'changed' ? { ...a, transactionsEnded: String(a.transactionsEnded) } : a.state === 'sync-behind' ? { ...a, walBytes: String(a.walBytes) } : a;
  const ended = a.state === 'unchanged' ? '0' : a.state === 'changed' ? String(a.transactionsEnded) : null;
  return { recorded, verify, assessment, transactionsEndedSince: ended, ...(syncWait === undefined ? {} : { syncWait }) };
}
