import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UnsupportedTypeError } from '../../core/errors.ts';
import type { PgColumn, PgTable, PgType } from './pg-table.ts';
import { codecForOid, mapTable, type MappingOptions } from './type-mapping.ts';
import { copyBinarySql, qualifiedName, quoteIdent } from './sql.ts';

const opts: MappingOptions = { unconstrainedNumeric: { type: 'decimal', precision: 38, scale: 10 }, unknownTypes: 'error', infinity: 'clamp', numericSpecialValues: 'error' };
const ty = (name: string, kind: PgType['kind'] = 'base', schema = 'pg_catalog'): PgType => ({ oid: 0, name, schema, kind });
let attnum = 0;
const column = (name: string, type: PgType, extra: Partial<PgColumn> = {}): PgColumn => ({ name, attnum: ++attnum, nullable: true, type, typmod: -1, declaredType: type.name, ...extra });
const table = (columns: PgColumn[], primaryKey: string[] = []): PgTable => ({
  oid: 1, schema: 'public', name: 'T x', kind: 'table', columns, primaryKey, estimatedRows: null, sizeBytes: 0, replicaIdentity: 'default',
});

test('numeric precision and scale, including PG 15 negative and oversized scales', () => {
  const num = (name: string, numeric?: { precision: number; scale: number }) => column(name, ty('numeric'), numeric ? { numeric } : {});
  const t = table([num('a', { precision: 12, scale: 2 }), num('b', { precision: 5, scale: -2 }), num('c', { precision: 2, scale: 5 }), num('d', { precision: 50, scale: 4 }), num('e')]);
  const types = mapTable(t, opts).schema.fields.map((f) => f.type);
  assert.deepEqual(types, [
    { type: 'decimal', precision: 12, scale: 2 }, { type: 'decimal', precision: 7, scale: 0 }, { type: 'decimal', precision: 5, scale: 5 },
    { type: 'decimal', precision: 38, scale: 10 }, { type: 'decimal', precision: 38, scale: 10 },
  ]);
  const asText = mapTable(t, { ...opts, unconstrainedNumeric: { type: 'string' } }).columns.map((c) => c.codec.codec);
  assert.deepEqual(asText, ['numeric', 'numeric', 'numeric', 'numeric-text', 'numeric-text']);
});

test('required follows NOT NULL unless a value rule can produce null; ids and key', () => {
  const t = table([column('id', ty('int8'), { nullable: false }), column('at', ty('timestamptz'), { nullable: false }), column('tags', { ...ty('_text', 'array'), element: ty('text') }, { nullable: false })], ['id']);
  const clamp = mapTable(t, opts).schema;
  assert.deepEqual(clamp.fields.map((f) => [f.id, f.required]), [[1, true], [2, true], [3, true]]);
  assert.deepEqual(clamp.fields[2]!.type, { type: 'list', elementId: 4, elementRequired: false, element: { type: 'string' } });
  assert.deepEqual(clamp.identifierFieldIds, [1]);
  assert.equal(mapTable(t, { ...opts, infinity: 'null' }).schema.fields[1]!.required, false);
  assert.throws(() => mapTable(table([column('id', ty('int8'))], ['id']), opts), /public\.T x\.id: key column is nullable/);
});

test('text-cast types, enums, extension types and unknown types', () => {
  const t = table([
    column('My "v"', ty('tsvector')), column('r', ty('int4range', 'range')), column('m', ty('mood', 'enum', 'public')),
    column('ci', ty('citext', 'base', 'ext')), column('pts', { ...ty('_point', 'array'), element: ty('point') }),
  ]);
  const mapped = mapTable(t, opts).columns;
  assert.deepEqual(mapped.map((c) => c.selectExpr), ['"My ""v"""::text', '"r"::text', '"m"', '"ci"', '"pts"::text[]']);
  assert.ok(mapped.every((c) => JSON.stringify(c.field.type).includes('"string"')));
  const odd = table([column('p', ty('pair', 'composite', 'public'), { declaredType: 'pair' })]);
  assert.throws(() => mapTable(odd, opts), (e: Error) => e instanceof UnsupportedTypeError && e.message.startsWith('public.T x.p: PostgreSQL type pair has no Iceberg mapping'));
  assert.equal(mapTable(odd, { ...opts, unknownTypes: 'string' }).columns[0]!.selectExpr, '"p"::text');
  // a user type that shares a built-in's name is not the built-in
  assert.throws(() => mapTable(table([column('u', ty('uuid', 'base', 'public'))]), opts), UnsupportedTypeError);
});

test('OID lookups and quoting', () => {
  assert.equal(codecForOid(1184), 'timestamptz');
  assert.equal(codecForOid(3802), 'jsonb');
  assert.equal(codecForOid(424242), undefined);
  assert.equal(quoteIdent('a"b c'), '"a""b c"');
  assert.equal(qualifiedName('Größe', 'select'), '"Größe"."select"');
  assert.throws(() => quoteIdent('a\0b'), /NUL/);
  assert.equal(copyBinarySql('s', 't', ['"a"', '"b"::text'], '"a" > 1'), 'COPY (SELECT "a", "b"::text FROM "s"."t" WHERE "a" > 1) TO STDOUT (FORMAT binary)');
});
