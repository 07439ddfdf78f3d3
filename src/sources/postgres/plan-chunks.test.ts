import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Queryable } from './introspector.ts';
import type { PgTable } from './pg-table.ts';
import { planTableChunks } from './plan-chunks.ts';

const text = { oid: 25, name: 'text', schema: 'pg_catalog', kind: 'base' } as const;
const table = {
  oid: 1, schema: 's', name: 't', kind: 'table', primaryKey: ['k'], estimatedRows: 3500, sizeBytes: 200_000, replicaIdentity: 'default',
  columns: [{ name: 'k', attnum: 1, nullable: false, type: text, typmod: -1, declaredType: 'text' }],
} as unknown as PgTable;

/** Answers TABLESAMPLE queries with `sizes[i]` keys on the i-th call, recording the percent asked. */
function sampler(sizes: readonly number[]): Queryable & { percents: number[] } {
  const percents: number[] = [];
  return {
    percents,
    async query<R extends object>(sql: string, values?: unknown[]) {
      assert.match(sql, /TABLESAMPLE SYSTEM/);
      const n = sizes[percents.length] ?? 0;
      percents.push(Number(values?.[0]));
      return { rows: Array.from({ length: n }, (_, i) => ({ k0: `key${String(i).padStart(5, '0')}` })) as unknown as R[] };
    },
  };
}

test('a key sample that picked too few blocks is taken again at 10x until it has a key per chunk', async () => {
  const db = sampler([0, 2, 300]);
  const plan = await planTableChunks(db, table, ['k'], { strategy: 'auto', chunkRows: 1000 });
  assert.equal(plan.ranges.length, 4, 'ceil(3500 / 1000) chunks');
  assert.equal(db.percents.length, 3);
  assert.ok(Math.abs(db.percents[0]! - (100 * 4 * 64) / 3500) < 1e-9, `first percent ${db.percents[0]}`);
  assert.equal(db.percents[2], 100, '7.3% -> 73% -> capped at 100%');
});

test('a key sample stops escalating at 100%: a table with fewer keys than chunks gets one range per key gap', async () => {
  const db = sampler([0, 0, 2]);
  const plan = await planTableChunks(db, table, ['k'], { strategy: 'auto', chunkRows: 1000 });
  assert.deepEqual(db.percents.slice(1), [(100 * 4 * 64 * 10) / 3500, 100]);
  assert.equal(plan.ranges.length, 2, 'two keys: one split point');
});

test('an adequate first sample is used as is', async () => {
  const db = sampler([500]);
  const plan = await planTableChunks(db, table, ['k'], { strategy: 'auto', chunkRows: 1000 });
  assert.equal(db.percents.length, 1);
  assert.equal(plan.ranges.length, 4);
});
