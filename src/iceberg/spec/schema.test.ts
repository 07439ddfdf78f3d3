import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allFieldIds,
  assignFreshIds,
  findFieldById,
  findFieldByName,
  findFieldPath,
  isPrimitive,
  maxFieldId,
  parsePrimitiveType,
  structOf,
  typeToString,
  type UnassignedField,
} from './schema.ts';
import type { PrimitiveType } from './types.ts';

const t = (type: string): PrimitiveType => ({ type }) as PrimitiveType;

const fields: UnassignedField[] = [
  { name: 'id', required: true, type: t('long') },
  { name: 'addr', required: false, type: { type: 'struct', fields: [{ name: 'city', required: false, type: t('string') }, { name: 'zip', required: false, type: t('string') }] } },
  { name: 'tags', required: false, type: { type: 'list', element: t('string'), elementRequired: true } },
  {
    name: 'props',
    required: false,
    type: { type: 'map', key: t('string'), value: { type: 'struct', fields: [{ name: 'v', required: true, type: { type: 'decimal', precision: 10, scale: 2 } }] }, valueRequired: false },
  },
  { name: 'points', required: false, type: { type: 'list', element: { type: 'struct', fields: [{ name: 'x', required: true, type: t('double') }] }, elementRequired: false } },
  { name: 'note', required: false, type: t('string'), doc: 'free text' },
];

const schema = assignFreshIds(fields);

test('assignFreshIds numbers a struct level first, then children (as Java)', () => {
  assert.deepEqual(schema.fields.map((f) => [f.name, f.id]), [['id', 1], ['addr', 2], ['tags', 3], ['props', 4], ['points', 5], ['note', 6]]);
  assert.deepEqual(findFieldByName(schema, 'addr.city')?.id, 7);
  assert.deepEqual(findFieldByName(schema, 'addr.zip')?.id, 8);
  const tags = findFieldById(schema, 3)!.type;
  assert.deepEqual(tags, { type: 'list', elementId: 9, elementRequired: true, element: t('string') });
  const props = findFieldById(schema, 4)!.type;
  assert.ok(props.type === 'map' && props.keyId === 10 && props.valueId === 11);
  assert.equal(findFieldByName(schema, 'props.value.v')?.id, 12);
  assert.equal(findFieldByName(schema, 'points.element.x')?.id, 14);
  assert.equal(findFieldById(schema, 6)?.doc, 'free text');
  assert.equal(maxFieldId(schema), 14);
  assert.deepEqual(allFieldIds(schema).sort((a, b) => a - b), Array.from({ length: 14 }, (_, i) => i + 1));
  assert.equal(schema.schemaId, 0);
  assert.equal(assignFreshIds(fields, 100, 7).fields[0]!.id, 100);
  assert.equal(assignFreshIds(fields, 100, 7).schemaId, 7);
});

test('duplicate names are rejected', () => {
  assert.throws(() => assignFreshIds([{ name: 'a', required: false, type: t('int') }, { name: 'a', required: false, type: t('int') }]), /duplicate field name 'a'/);
});

test('lookups', () => {
  assert.equal(findFieldById(schema, 99), undefined);
  assert.equal(findFieldById(schema, 12)?.name, 'v');
  assert.equal(findFieldByName(schema, 'addr.nope'), undefined);
  assert.equal(findFieldByName(schema, 'city'), undefined);
  assert.deepEqual(findFieldPath(schema, 7), ['addr', 'city']);
  assert.equal(findFieldPath(schema, 14), undefined); // inside a list
  assert.equal(findFieldPath(schema, 9), undefined); // list element id, not a struct field
  assert.deepEqual(structOf(schema), { type: 'struct', fields: schema.fields });
  assert.equal(isPrimitive(t('uuid')), true);
  assert.equal(isPrimitive(structOf(schema)), false);
});

test('primitive type strings round trip', () => {
  for (const s of ['boolean', 'int', 'long', 'float', 'double', 'date', 'time', 'timestamp', 'timestamptz', 'string', 'uuid', 'binary', 'decimal(10,2)', 'decimal(38,0)', 'fixed[16]']) {
    assert.equal(typeToString(parsePrimitiveType(s)), s);
  }
  assert.deepEqual(parsePrimitiveType(' decimal( 9 , 3 ) '), { type: 'decimal', precision: 9, scale: 3 });
  assert.equal(typeToString(findFieldById(schema, 4)!.type), 'map<string, struct<v: decimal(10,2)>>');
  for (const bad of ['decimal(39,0)', 'decimal(5,6)', 'fixed[0]', 'timestamp_ns', 'Long', 'varchar']) {
    assert.throws(() => parsePrimitiveType(bad), { name: 'UnsupportedTypeError', message: new RegExp(bad.replace(/[()[\]]/g, '\\$&')) });
  }
});
