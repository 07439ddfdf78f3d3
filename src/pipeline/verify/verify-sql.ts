/**
 * The PostgreSQL side of verify as SQL text (pure): the per-bucket checksum aggregate, the rows
 * of chosen buckets, and the canonical values of chosen keys. Definitions match checksum.ts.
 * Identifiers are quoted; bucket names and keys are bind parameters.
 */
import { qualifiedName } from '../../sources/postgres/sql.ts';
import { BUCKET_HEX_DIGITS } from './checksum.ts';
import { SOURCE_ALIAS, type VerifyPlan } from './verify-plan.ts';

/** h(x): first 15 hex digits of md5(x) as int8 (NULL for NULL). */
const h60 = (x: string): string => `('x' || substr(md5(${x}), 1, 15))::bit(60)::int8`;
const jsonText = (x: string): string => `coalesce(to_json(${x})::text, 'null')`;

/** Row text: each column's canonical text as JSON (or null), joined by ','. */
export function rowTextSql(plan: VerifyPlan): string {
  return plan.columns.length === 0 ? `''` : plan.columns.map((c) => jsonText(c.sql)).join(` || ',' || `);
}

/** Key text `[k1,k2]`; undefined for a keyless plan. */
export function keyTextSql(plan: VerifyPlan): string | undefined {
  if (plan.keyIndexes.length === 0) return undefined;
  return `'[' || ${plan.keyIndexes.map((i) => jsonText(plan.columns[i]!.sql)).join(` || ',' || `)} || ']'`;
}

function bucketSql(plan: VerifyPlan): string {
  return `substr(md5(${keyTextSql(plan) ?? rowTextSql(plan)}), 1, ${BUCKET_HEX_DIGITS})`;
}

const from = (plan: VerifyPlan): string => `${qualifiedName(plan.source.schema, plan.source.table)} AS ${SOURCE_ALIAS}`;

/**
 * One row per non-empty bucket: bucket name, rows, Σh(row text), then per column non-null
 * count and Σh(text), all as text (bigint sums are numeric). Plain GROUP BY, so PostgreSQL may
 * run it with parallel workers.
 */
export function checksumSql(plan: VerifyPlan): string {
  const perColumn = plan.columns.map((c) => `count(${c.sql})::text, coalesce(sum(${h60(c.sql)}), 0)::text`);
  const select = [`${bucketSql(plan)} AS floe_bucket`, 'count(*)::text', `coalesce(sum(${h60(rowTextSql(plan))}), 0)::text`, ...perColumn];
  return `SELECT ${select.join(', ')} FROM ${from(plan)} GROUP BY 1`;
}

/**
 * Rows of the buckets named in $1 (text[]). Keyed: key text, md5(row text), md5 of each column's
 * text. Keyless: row text, md5(row text).
 */
export function bucketRowsSql(plan: VerifyPlan): string {
  const key = keyTextSql(plan);
  const row = rowTextSql(plan);
  const select = key === undefined ? [row, `md5(${row})`] : [key, `md5(${row})`, ...plan.columns.map((c) => `md5(${c.sql})`)];
  return `SELECT ${select.join(', ')} FROM ${from(plan)} WHERE ${bucketSql(plan)} = ANY($1::text[])`;
}

/** Key text and each column's canonical text cut to `maxChars` + 1, for the keys in $2 of the buckets in $1. */
export function keyValuesSql(plan: VerifyPlan, maxChars: number): string {
  const key = keyTextSql(plan);
  if (key === undefined) throw new Error(`verify ${plan.source.schema}.${plan.source.table}: key values need a key`);
  const select = [key, ...plan.columns.map((c) => `left(${c.sql}, ${maxChars + 1})`)];
  return `SELECT ${select.join(', ')} FROM ${from(plan)} WHERE ${bucketSql(plan)} = ANY($1::text[]) AND ${key} = ANY($2::text[])`;
}

/**
 * The source's position at the start of the verify transaction: snapshot, WAL LSN, server
 * version. The LSN is read after the snapshot is taken and is the WAL *insert* position (the
 * write position can lag behind a commit with synchronous_commit off), so every transaction the
 * snapshot sees has its commit record before it; on a standby, the replay position.
 */
export const POSITION_SQL = `SELECT pg_current_snapshot()::text AS snapshot,
  (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_insert_lsn() END)::text AS lsn,
  current_setting('server_version_num')::int AS version`;
