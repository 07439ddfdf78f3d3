/**
 * Chooses how to split one table and computes the ranges (queries at the edge, arithmetic in
 * chunk-plan.ts): a single integer key → equal spans of min..max; any other key → split points
 * from a block sample sorted by key; no key (or `chunkStrategy: ctid`) → heap block ranges.
 */
import { ConfigError } from '../../core/errors.ts';
import { chunkCountFor, ctidRanges, integerSplits, keyRanges, sampleSplits, type ChunkRange, type KeyTuple } from './chunk-plan.ts';
import { heapBlocks, keyMinMax, sampleKeys } from './chunk-sql.ts';
import type { Queryable } from './introspector.ts';
import type { PgTable } from './pg-table.ts';

export interface ChunkPlanOptions {
  readonly strategy: 'auto' | 'pk' | 'ctid';
  readonly chunkRows: number;
}

export interface TableChunkPlan {
  /** `pk`: disjoint key ranges (resumable); `ctid`: block ranges (restart on failure). */
  readonly strategy: 'pk' | 'ctid';
  readonly ranges: readonly ChunkRange[];
  /** pg_class estimate, or heap bytes / 100 when never analyzed. */
  readonly estimatedRows: number;
}

const INTEGER_TYPES = new Set(['int2', 'int4', 'int8']);
const SAMPLE_ROWS_PER_CHUNK = 64;

/** Estimated live rows: pg_class.reltuples, else a guess of 100 bytes per row. */
export function estimateRows(table: PgTable): number {
  return table.estimatedRows ?? Math.ceil(table.sizeBytes / 100);
}

/** Plans the chunks of `table` keyed by `keyColumns` (empty: keyless). Reads only catalog data, min/max and a sample. */
export async function planTableChunks(db: Queryable, table: PgTable, keyColumns: readonly string[], options: ChunkPlanOptions): Promise<TableChunkPlan> {
  const estimatedRows = estimateRows(table);
  const chunks = chunkCountFor(estimatedRows, options.chunkRows);
  const label = `${table.schema}.${table.name}`;
  if (keyColumns.length === 0 && options.strategy === 'pk') {
    throw new ConfigError(`table ${label}: load.chunkStrategy is pk but the table has no primary key (configure primaryKey or use auto)`);
  }
  if (keyColumns.length > 0 && options.strategy !== 'ctid') {
    return { strategy: 'pk', ranges: keyRanges(await keySplits(db, table, keyColumns, chunks, estimatedRows)), estimatedRows };
  }
  if (table.kind !== 'table' || chunks === 1) return { strategy: 'ctid', ranges: [{ kind: 'all' }], estimatedRows };
  return { strategy: 'ctid', ranges: ctidRanges(await heapBlocks(db, table.oid), chunks), estimatedRows };
}

async function keySplits(db: Queryable, table: PgTable, keyColumns: readonly string[], chunks: number, estimatedRows: number): Promise<KeyTuple[]> {
  if (chunks <= 1) return [];
  const first = table.columns.find((c) => c.name === keyColumns[0]);
  const integer = keyColumns.length === 1 && first !== undefined && first.type.schema === 'pg_catalog' && INTEGER_TYPES.has(first.type.name);
  if (integer) {
    const { min, max } = await keyMinMax(db, table.schema, table.name, keyColumns[0]!);
    if (min === null || max === null) return [];
    return integerSplits(BigInt(min), BigInt(max), chunks).map((p) => [p.toString()]);
  }
  if (table.kind === 'view' || table.kind === 'foreign table') return []; // no TABLESAMPLE: one chunk
  // SYSTEM picks whole blocks with probability percent/100, so on a table of few blocks it can
  // pick none (a 3500-row, ~25-block table at 7.3% got no block 15% of the time and loaded as
  // one chunk): with fewer keys than chunks, sample again at 10x until 100% (every key).
  let percent = Math.min(100, (100 * chunks * SAMPLE_ROWS_PER_CHUNK) / Math.max(1, estimatedRows));
  for (;;) {
    const sample = await sampleKeys(db, table.schema, table.name, keyColumns, percent);
    if (sample.length >= chunks || percent >= 100) return sampleSplits(sample, chunks);
    percent = Math.min(100, percent * 10);
  }
}
