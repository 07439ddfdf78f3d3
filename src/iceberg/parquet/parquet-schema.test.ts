import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnsupportedTypeError } from '../../core/errors.ts';
import { decimalByteLength, parquetLeaves, parquetSchema, primitiveElement } from './parquet-schema.ts';
import { ALL_TYPES_SCHEMA } from './test-tables.ts';

test('decimal byte lengths are the minimum that holds the precision (spec table)', () => {
  const cases: [number, number][] = [[1, 1], [2, 1], [3, 2], [9, 4], [10, 5], [18, 8], [19, 9], [20, 9], [38, 16]];
  for (const [p, bytes] of cases) assert.equal(decimalByteLength(p), bytes, `precision ${p}`);
  assert.equal(primitiveElement({ type: 'decimal', precision: 19, scale: 0 }).type_length, 9);
  assert.throws(() => primitiveElement({ type: 'decimal', precision: 39, scale: 0 }), UnsupportedTypeError);
});

test('lists are 3-level list/element and maps key_value/key/value, ids only on Iceberg nodes', () => {
  const s = parquetSchema(ALL_TYPES_SCHEMA);
  const at = (name: string) => s.findIndex((e) => e.name === name);
  const tags = at('tags');
  assert.deepEqual(s.slice(tags, tags + 3).map((e) => [e.name, e.repetition_type, e.field_id]), [['tags', 'OPTIONAL', 26], ['list', 'REPEATED', undefined], ['element', 'REQUIRED', 27]]);
  const m = at('m');
  assert.deepEqual(s.slice(m, m + 4).map((e) => [e.name, e.repetition_type, e.field_id]), [['m', 'OPTIONAL', 28], ['key_value', 'REPEATED', undefined], ['key', 'REQUIRED', 29], ['value', 'OPTIONAL', 30]]);
  assert.equal(s[0]!.num_children, ALL_TYPES_SCHEMA.fields.length);
});

test('leaves come in Parquet column order with their paths and ids; repeated marks list/map leaves', () => {
  const leaves = parquetLeaves(ALL_TYPES_SCHEMA);
  assert.deepEqual(leaves.map((l) => l.fieldId), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 21, 22, 25, 27, 29, 30]);
  const v = leaves.find((l) => l.fieldId === 25)!;
  assert.deepEqual(v.path, ['pts', 'list', 'element', 'v']);
  assert.equal(v.repeated, true);
  assert.equal(leaves.find((l) => l.fieldId === 21)!.repeated, false);
});
