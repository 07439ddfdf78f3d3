import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePartitionField, parseUnconstrainedNumeric, splitDottedName } from './names.ts';

test('dotted names: exact parts, SQL-style quoting, rejects empty parts', () => {
  assert.deepEqual(splitDottedName('public.Orders'), ['public', 'Orders']);
  assert.deepEqual(splitDottedName('"a.b"."c ""d"""'), ['a.b', 'c "d"']);
  assert.deepEqual(splitDottedName('名前.Größe'), ['名前', 'Größe']);
  for (const bad of ['', '.a', 'a.', 'a..b', '"a', 'a"b.c', '"a"b']) assert.equal(splitDottedName(bad), undefined, bad);
});

test('partition expressions', () => {
  assert.deepEqual(parsePartitionField(' HOUR( ts ) '), { ok: true, value: { transform: 'hour', column: 'ts' } });
  assert.deepEqual(parsePartitionField('truncate(10, "a, b")'), { ok: true, value: { transform: 'truncate[10]', column: 'a, b' } });
  for (const bad of ['bucket(0, id)', 'day(1, ts)', 'weekly(ts)', 'a b', 'bucket(id)']) assert.equal(parsePartitionField(bad).ok, false, bad);
});

test('unconstrained numeric choice', () => {
  assert.deepEqual(parseUnconstrainedNumeric('decimal(20, 4)'), { ok: true, value: { type: 'decimal', precision: 20, scale: 4 } });
  for (const bad of ['decimal(39,2)', 'decimal(5,6)', 'decimal(0,0)', 'float']) assert.equal(parseUnconstrainedNumeric(bad).ok, false, bad);
});
