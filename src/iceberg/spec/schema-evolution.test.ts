import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evolveSchema, isAllowedPromotion, type SchemaChange } from './schema-evolution.ts';
import { findFieldByName } from './schema.ts';
import type { PrimitiveType, Schema } from './types.ts';

const t = (type: string): PrimitiveType => ({ type }) as PrimitiveType;
const dec = (precision: number, scale: number): PrimitiveType => ({ type: 'decimal', precision, scale });

const base: Schema = {
  schemaId: 4,
  identifierFieldIds: [1],
  fields: [
    { id: 1, name: 'id', required: true, type: t('int') },
    { id: 2, name: 'price', required: false, type: dec(10, 2) },
    { id: 3, name: 'ratio', required: true, type: t('float') },
    { id: 4, name: 'addr', required: false, type: { type: 'struct', fields: [{ id: 5, name: 'city', required: true, type: t('string') }] } },
    {
      id: 6,
      name: 'points',
      required: false,
      type: { type: 'list', elementId: 7, elementRequired: true, element: { type: 'struct', fields: [{ id: 8, name: 'x', required: true, type: t('long') }] } },
    },
  ],
};

const evolve = (changes: SchemaChange[], emptyTable = false) => evolveSchema(base, 8, changes, { emptyTable });

test('widening keeps ids and bumps the schema id', () => {
  const { schema, lastColumnId } = evolve([
    { kind: 'update-column-type', name: 'id', type: t('long') },
    { kind: 'update-column-type', name: 'price', type: dec(20, 2) },
    { kind: 'update-column-type', name: 'ratio', type: t('double') },
    { kind: 'update-column-type', name: 'points.element.x', type: t('long') }, // same type: no-op
  ]);
  assert.equal(schema.schemaId, 5);
  assert.equal(lastColumnId, 8);
  assert.deepEqual(findFieldByName(schema, 'id'), { id: 1, name: 'id', required: true, type: t('long') });
  assert.deepEqual(findFieldByName(schema, 'price')?.type, dec(20, 2));
  assert.deepEqual(findFieldByName(schema, 'ratio')?.type, t('double'));
  assert.deepEqual(schema.identifierFieldIds, [1]);
  assert.equal(base.fields[0]!.type.type, 'int'); // input untouched
});

test('illegal type changes name the column and both types', () => {
  const cases: [string, PrimitiveType, RegExp][] = [
    ['id', t('string'), /'id' from int to string/],
    ['price', dec(8, 2), /'price' from decimal\(10,2\) to decimal\(8,2\)/],
    ['price', dec(12, 3), /decimal\(10,2\) to decimal\(12,3\)/],
    ['ratio', t('int'), /'ratio' from float to int/],
    ['addr', t('string'), /'addr' from struct<city: string> to string: not a primitive/],
  ];
  for (const [name, type, message] of cases) {
    assert.throws(() => evolve([{ kind: 'update-column-type', name, type }]), { name: 'UnsupportedTypeError', message });
  }
  assert.equal(isAllowedPromotion(t('long'), t('int')), false);
  assert.equal(isAllowedPromotion(t('date'), t('timestamp')), false); // v3 only
});

test('add columns at top level, in structs and in list elements, with fresh ids', () => {
  const { schema, lastColumnId } = evolve([
    { kind: 'add-column', name: 'note', type: t('string'), doc: 'free text' },
    { kind: 'add-column', parent: 'addr', name: 'zip', type: t('string') },
    { kind: 'add-column', parent: 'points.element', name: 'y', type: t('double') },
    {
      kind: 'add-column',
      name: 'attrs',
      type: { type: 'map', key: t('string'), value: { type: 'struct', fields: [{ name: 'v', required: false, type: t('int') }] }, valueRequired: false },
    },
  ]);
  assert.deepEqual(findFieldByName(schema, 'note'), { id: 9, name: 'note', required: false, type: t('string'), doc: 'free text' });
  assert.equal(findFieldByName(schema, 'addr.zip')?.id, 10);
  assert.equal(findFieldByName(schema, 'points.element.y')?.id, 11);
  const attrs = findFieldByName(schema, 'attrs');
  assert.equal(attrs?.id, 12);
  assert.deepEqual(attrs?.type.type === 'map' && [attrs.type.keyId, attrs.type.valueId], [13, 14]);
  assert.equal(findFieldByName(schema, 'attrs.value.v')?.id, 15);
  assert.equal(lastColumnId, 15);
});

test('required adds need an empty table; duplicates and bad parents throw', () => {
  assert.throws(() => evolve([{ kind: 'add-column', name: 'k', type: t('long'), required: true }]), /cannot add required column 'k' long/);
  const ok = evolve([{ kind: 'add-column', name: 'k', type: t('long'), required: true }], true);
  assert.equal(findFieldByName(ok.schema, 'k')?.required, true);
  assert.throws(() => evolve([{ kind: 'add-column', name: 'id', type: t('long') }]), /column 'id' already exists/);
  assert.throws(() => evolve([{ kind: 'add-column', parent: 'nope', name: 'a', type: t('long') }]), /no column 'nope'/);
  assert.throws(() => evolve([{ kind: 'add-column', parent: 'id', name: 'a', type: t('long') }]), /'id' is int, not a struct/);
  assert.throws(() => evolve([{ kind: 'add-column', name: 'a.b', type: t('long') }]), /without dots/);
});

test('rename, make optional and delete keep the other ids stable', () => {
  const { schema } = evolve([
    { kind: 'rename-column', name: 'addr.city', newName: 'town' },
    { kind: 'make-optional', name: 'ratio' },
    { kind: 'delete-column', name: 'price' },
    { kind: 'rename-column', name: 'addr', newName: 'address' },
  ]);
  assert.deepEqual(schema.fields.map((f) => [f.id, f.name, f.required]), [[1, 'id', true], [3, 'ratio', false], [4, 'address', false], [6, 'points', false]]);
  assert.equal(findFieldByName(schema, 'address.town')?.id, 5);
  assert.throws(() => evolve([{ kind: 'rename-column', name: 'id', newName: 'ratio' }]), /'id' to 'ratio': that name is taken/);
  assert.throws(() => evolve([{ kind: 'delete-column', name: 'id' }]), /cannot delete identifier column 'id'/);
  assert.throws(() => evolve([{ kind: 'make-optional', name: 'id' }]), /identifier column 'id' optional/);
  assert.throws(() => evolve([{ kind: 'delete-column', name: 'ghost' }]), { name: 'UnsupportedTypeError', message: /no column 'ghost'/ });
});

test('identifier fields must be required primitives outside lists', () => {
  const { schema } = evolve([{ kind: 'set-identifier-fields', names: ['id', 'addr.city'] }]);
  assert.deepEqual(schema.identifierFieldIds, [1, 5]);
  assert.throws(() => evolve([{ kind: 'set-identifier-fields', names: ['price'] }]), /'price' must be required/);
  assert.throws(() => evolve([{ kind: 'set-identifier-fields', names: ['ratio'] }]), /other than float\/double/);
  assert.throws(() => evolve([{ kind: 'set-identifier-fields', names: ['points.element.x'] }]), /inside a list or map/);
});

test('schema id and lastColumnId options', () => {
  const r = evolveSchema(base, 3, [{ kind: 'add-column', name: 'n', type: t('int') }], { schemaId: 11 });
  assert.equal(r.schema.schemaId, 11);
  assert.equal(findFieldByName(r.schema, 'n')?.id, 9); // never below the schema's own ids
  const far = evolveSchema(base, 100, [{ kind: 'add-column', name: 'n', type: t('int') }]);
  assert.equal(findFieldByName(far.schema, 'n')?.id, 101);
  assert.equal(far.lastColumnId, 101);
});
