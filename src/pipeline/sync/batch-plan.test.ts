import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Change } from '../../core/change.ts';
import { groupByTable } from './batch-plan.ts';

const change = (table: string, id: number): Change => ({ table, op: 'upsert', key: { id }, after: { id }, before: null, unchanged: [], position: {} });
const targets = new Map([
  ['s.a', 'ns.a'],
  ['s.b', 'ns.b'],
]);

test('groupByTable: a batch of one source table is routed whole, without a copy', () => {
  const changes = [change('s.a', 1), change('s.a', 2)];
  const out = groupByTable(changes, targets);
  assert.deepEqual([...out.keys()], ['ns.a']);
  assert.equal(out.get('ns.a'), changes);
});

test('groupByTable: interleaved runs keep source order per table', () => {
  const changes = [change('s.a', 1), change('s.b', 2), change('s.b', 3), change('s.a', 4)];
  const out = groupByTable(changes, targets);
  assert.deepEqual([...out.keys()], ['ns.a', 'ns.b']);
  assert.deepEqual(out.get('ns.a')!.map((c) => c.key!['id']), [1, 4]);
  assert.deepEqual(out.get('ns.b')!.map((c) => c.key!['id']), [2, 3]);
});

test('groupByTable: an unmapped source table is an error, in a run or alone', () => {
  assert.throws(() => groupByTable([change('s.x', 1)], targets), /source table s\.x, which no configured table reads/);
  assert.throws(() => groupByTable([change('s.a', 1), change('s.x', 2)], targets), /source table s\.x/);
  assert.equal(groupByTable([], targets).size, 0);
});
