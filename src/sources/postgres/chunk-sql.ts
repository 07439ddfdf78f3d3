/**
 * SQL for chunked reads and their planning. A chunk's COPY cannot take bind parameters, so
 * key bounds are written as E'' literals of text that PostgreSQL itself produced (min/max or
 * a sample, `col::text`); the literal is untyped and takes the key column's type and collation
 * in the comparison, the same order the sample was sorted in. Identifiers are always quoted.
 */
import type { ChunkRange, KeyTuple } from './chunk-plan.ts';
import type { Queryable } from './introspector.ts';
import { quoteLiteral } from './snapshot.ts';
import { copyBinarySql, qualifiedName, quoteIdent } from './sql.ts';

function rowOf(items: readonly string[]): string {
  return items.length === 1 ? items[0]! : `(${items.join(', ')})`;
}

function keyBound(keyColumns: readonly string[], values: KeyTuple, op: '>=' | '<'): string {
  if (values.length !== keyColumns.length) throw new Error(`chunk bound has ${values.length} value(s) for ${keyColumns.length} key column(s)`);
  return `${rowOf(keyColumns.map(quoteIdent))} ${op} ${rowOf(values.map(quoteLiteral))}`;
}

/** The WHERE clause of a chunk (row-value comparisons for keys, TID range for ctid), or undefined for the whole table. */
export function chunkPredicate(range: ChunkRange, keyColumns: readonly string[]): string | undefined {
  if (range.kind === 'all') return undefined;
  const parts: string[] = [];
  if (range.kind === 'ctid') {
    if (!Number.isSafeInteger(range.fromBlock) || range.fromBlock < 0) throw new Error(`ctid chunk: bad block ${range.fromBlock}`);
    parts.push(`ctid >= '(${range.fromBlock},0)'::tid`);
    if (range.toBlock !== null) {
      if (!Number.isSafeInteger(range.toBlock) || range.toBlock < 0) throw new Error(`ctid chunk: bad block ${range.toBlock}`);
      parts.push(`ctid < '(${range.toBlock},0)'::tid`);
    }
  } else {
    if (range.lo !== null) parts.push(keyBound(keyColumns, range.lo, '>='));
    if (range.hi !== null) parts.push(keyBound(keyColumns, range.hi, '<'));
  }
  return parts.length === 0 ? undefined : parts.join(' AND ');
}

/** `COPY (SELECT … WHERE <chunk>) TO STDOUT (FORMAT binary)` for one chunk. */
export function chunkCopySql(schema: string, table: string, selectExprs: readonly string[], range: ChunkRange, keyColumns: readonly string[]): string {
  return copyBinarySql(schema, table, selectExprs, chunkPredicate(range, keyColumns));
}

/** min and max of a single key column as text; nulls for an empty table. */
export async function keyMinMax(db: Queryable, schema: string, table: string, column: string): Promise<{ min: string | null; max: string | null }> {
  const c = quoteIdent(column);
  const row = (await db.query<{ min: string | null; max: string | null }>(`SELECT min(${c})::text AS min, max(${c})::text AS max FROM ${qualifiedName(schema, table)}`)).rows[0];
  return { min: row?.min ?? null, max: row?.max ?? null };
}

/** About `targetRows` key tuples sampled by block (TABLESAMPLE SYSTEM), in key order. */
export async function sampleKeys(db: Queryable, schema: string, table: string, keyColumns: readonly string[], percent: number): Promise<KeyTuple[]> {
  const pct = Math.min(100, Math.max(0.0001, percent));
  const cols = keyColumns.map((c, i) => `${quoteIdent(c)}::text AS k${i}`).join(', ');
  const order = keyColumns.map(quoteIdent).join(', ');
  const { rows } = await db.query<Record<string, string>>(
    `SELECT ${cols} FROM ${qualifiedName(schema, table)} TABLESAMPLE SYSTEM ($1) ORDER BY ${order}`,
    [pct],
  );
  return rows.map((r) => keyColumns.map((_c, i) => r[`k${i}`]!));
}

/** Heap blocks of a plain table now. */
export async function heapBlocks(db: Queryable, oid: number): Promise<number> {
  const row = (await db.query<{ blocks: string }>(`SELECT (pg_relation_size($1::oid::regclass) / current_setting('block_size')::int8)::text AS blocks`, [oid])).rows[0];
  return Number(row?.blocks ?? 0);
}
