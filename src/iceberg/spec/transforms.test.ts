import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyTransform,
  canTransform,
  formatTransform,
  parseTransform,
  partitionPath,
  partitionTuple,
  transformResultType,
} from './transforms.ts';
import { murmur3HashLong } from './murmur3.ts';
import { decimalFromString, isoDateToDays, isoTimeToMicros, isoToMicros } from './values.ts';
import type { IcebergValue, PartitionSpec, PrimitiveType, Schema, Transform } from './types.ts';

const t = (type: string): PrimitiveType => ({ type }) as PrimitiveType;
const MAX = 2147483647;
/** The spec's bucket function on a raw signed hash. */
const bucketOf = (hash: number, n: number) => (hash & MAX) % n;

test('parseTransform / formatTransform round trip; bad strings name themselves', () => {
  assert.deepEqual(parseTransform('bucket[16]'), { kind: 'bucket', n: 16 });
  assert.deepEqual(parseTransform('truncate[3]'), { kind: 'truncate', width: 3 });
  for (const s of ['identity', 'bucket[1]', 'truncate[10]', 'year', 'month', 'day', 'hour', 'void'] as Transform[]) {
    assert.equal(formatTransform(parseTransform(s)), s);
  }
  for (const s of ['bucket', 'bucket[0]', 'bucket[-1]', 'bucket[x]', 'truncate[]', 'Day', 'days', 'bucket[16] ', 'bucket[2147483648]']) {
    assert.throws(() => parseTransform(s), { name: 'ConfigError', message: new RegExp(`'${s.replace(/[[\]]/g, '\\$&')}'`) });
  }
});

test('result types follow the spec table (day -> date)', () => {
  assert.deepEqual(transformResultType('bucket[4]', t('string')), t('int'));
  assert.deepEqual(transformResultType('truncate[4]', t('string')), t('string'));
  const dec = { type: 'decimal', precision: 9, scale: 2 } as const;
  assert.deepEqual(transformResultType('truncate[50]', dec), dec);
  assert.deepEqual(transformResultType('identity', t('uuid')), t('uuid'));
  assert.deepEqual(transformResultType('year', t('timestamptz')), t('int'));
  assert.deepEqual(transformResultType('month', t('date')), t('int'));
  assert.deepEqual(transformResultType('day', t('timestamp')), t('date'));
  assert.deepEqual(transformResultType('hour', t('timestamp')), t('int'));
  assert.deepEqual(transformResultType('void', t('long')), t('long'));
  assert.throws(() => transformResultType('hour', t('date')), { name: 'UnsupportedTypeError', message: /hour cannot apply to type date/ });
  assert.throws(() => transformResultType('bucket[2]', t('double')), /bucket\[2\] cannot apply to type double/);
  assert.throws(() => transformResultType('truncate[2]', { type: 'fixed', length: 4 }), /fixed\[4\]/);
  assert.equal(canTransform('year', t('string')), false);
  assert.equal(canTransform('bucket[3]', t('uuid')), true);
});

test('bucket hashes match the spec Appendix B vectors', () => {
  // With N = MAX the bucket is the non-negative hash itself (except hash == MAX, not in the vectors).
  const vectors: [PrimitiveType, IcebergValue, number][] = [
    [t('int'), 34, 2017239379],
    [t('long'), 34n, 2017239379],
    [{ type: 'decimal', precision: 4, scale: 2 }, decimalFromString('14.20', 2), -500754589],
    [t('date'), isoDateToDays('2017-11-16'), -653330422],
    [t('time'), isoTimeToMicros('22:31:08'), -662762989],
    [t('timestamp'), isoToMicros('2017-11-16T22:31:08'), -2047944441],
    [t('timestamp'), isoToMicros('2017-11-16T22:31:08.000001'), -1207196810],
    [t('timestamptz'), isoToMicros('2017-11-16T14:31:08-08:00'), -2047944441],
    [t('timestamptz'), isoToMicros('2017-11-16T14:31:08.000001-08:00'), -1207196810],
    [t('string'), 'iceberg', 1210000089],
    [t('uuid'), 'f79c3e09-677c-4bbd-a479-3f349cb785e7', 1488055340],
    [{ type: 'fixed', length: 4 }, Uint8Array.of(0, 1, 2, 3), -188683207],
    [t('binary'), Uint8Array.of(0, 1, 2, 3), -188683207],
  ];
  for (const [type, value, hash] of vectors) {
    assert.equal(applyTransform(`bucket[${MAX}]`, type, value), bucketOf(hash, MAX), `${type.type} ${String(value)}`);
    assert.equal(applyTransform('bucket[16]', type, value), bucketOf(hash, 16), `${type.type} ${String(value)} in 16`);
  }
  // "34" as a string hashes differently from 34 (spec schema evolution example)
  assert.equal(applyTransform(`bucket[${MAX}]`, t('string'), '34'), bucketOf(-427558391, MAX));
  assert.equal(murmur3HashLong(-1n) & MAX, applyTransform(`bucket[${MAX}]`, t('long'), -1n));
});

test('truncate: floor for numbers (negatives too), code points for strings, bytes for binary', () => {
  assert.equal(applyTransform('truncate[10]', t('int'), 1), 0);
  assert.equal(applyTransform('truncate[10]', t('int'), -1), -10);
  assert.equal(applyTransform('truncate[10]', t('int'), -10), -10);
  assert.equal(applyTransform('truncate[10]', t('long'), -1n), -10n);
  assert.equal(applyTransform('truncate[10]', t('long'), 4611686018427387909n), 4611686018427387900n);
  // Below the minimum the result wraps as Java's long arithmetic does (no other value fits).
  assert.equal(applyTransform('truncate[10]', t('long'), -(2n ** 63n) + 3n), 2n ** 63n - 2n);
  assert.equal(applyTransform('truncate[10]', t('int'), -2147483648), 2147483646);
  const dec = { type: 'decimal', precision: 9, scale: 2 } as const;
  assert.equal(applyTransform('truncate[50]', dec, 1065n), 1050n); // 10.65 -> 10.50
  assert.equal(applyTransform('truncate[50]', dec, -1n), -50n); // -0.01 -> -0.50
  assert.equal(applyTransform('truncate[3]', t('string'), 'iceberg'), 'ice');
  assert.equal(applyTransform('truncate[2]', t('string'), '😀é😀'), '😀é');
  assert.equal(applyTransform('truncate[5]', t('string'), 'ab'), 'ab');
  assert.deepEqual(applyTransform('truncate[3]', t('binary'), Uint8Array.of(1, 2, 3, 4, 5)), Uint8Array.of(1, 2, 3));
});

test('time transforms floor before 1970', () => {
  const ts = (s: string) => isoToMicros(s);
  const d = (s: string) => isoDateToDays(s);
  const cases: [Transform, PrimitiveType, IcebergValue, number][] = [
    ['year', t('date'), d('2017-11-16'), 47],
    ['month', t('date'), d('2017-11-16'), 574],
    ['day', t('date'), d('2017-11-16'), 17486],
    ['year', t('timestamp'), ts('2017-11-16T22:31:08'), 47],
    ['month', t('timestamptz'), ts('2017-11-16T22:31:08Z'), 574],
    ['day', t('timestamp'), ts('2017-11-16T22:31:08'), 17486],
    ['hour', t('timestamp'), ts('2017-11-16T22:31:08'), 419686],
    ['year', t('date'), d('1969-12-31'), -1],
    ['month', t('date'), d('1969-12-31'), -1],
    ['month', t('date'), d('1969-01-01'), -12],
    ['month', t('date'), d('1968-12-31'), -13],
    ['year', t('timestamp'), ts('1969-12-31T23:59:59.999999'), -1],
    ['month', t('timestamp'), ts('1969-12-31T23:59:59.999999'), -1],
    ['day', t('timestamp'), ts('1969-12-31T23:59:59.999999'), -1],
    ['day', t('timestamp'), ts('1969-12-31T00:00:00'), -1],
    ['day', t('timestamp'), ts('1969-12-30T23:59:59'), -2],
    ['hour', t('timestamp'), ts('1969-12-31T23:00:00'), -1],
    ['hour', t('timestamp'), ts('1969-12-31T22:59:59.999999'), -2],
    ['year', t('date'), d('1900-03-01'), -70],
    ['month', t('date'), d('2000-02-29'), 361],
  ];
  for (const [tr, type, v, want] of cases) assert.equal(applyTransform(tr, type, v), want, `${tr}(${String(v)})`);
});

test('null in, null out; identity and void; wrong representations throw', () => {
  for (const tr of ['identity', 'bucket[4]', 'truncate[4]', 'void'] as Transform[]) assert.equal(applyTransform(tr, t('long'), null), null);
  assert.equal(applyTransform('day', t('date'), null), null);
  assert.equal(applyTransform('identity', t('string'), 'x'), 'x');
  assert.equal(applyTransform('void', t('string'), 'x'), null);
  assert.throws(() => applyTransform('bucket[4]', t('long'), 34), { name: 'BadEventError', message: /34 \(number\) is not a long/ });
  assert.throws(() => applyTransform('day', t('timestamp'), 5), /not a timestamp/);
});

const schema: Schema = {
  schemaId: 3,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: 'id', required: true, type: t('long') },
    { id: 2, name: 'ts', required: false, type: t('timestamptz') },
    { id: 3, name: 'name', required: false, type: t('string') },
    { id: 4, name: 'addr', required: false, type: { type: 'struct', fields: [{ id: 5, name: 'city', required: false, type: t('string') }] } },
    { id: 6, name: 'blob', required: false, type: t('binary') },
    { id: 7, name: 'tags', required: false, type: { type: 'list', elementId: 8, elementRequired: false, element: t('string') } },
  ],
};

const spec: PartitionSpec = {
  specId: 1,
  fields: [
    { sourceId: 2, fieldId: 1000, name: 'ts_day', transform: 'day' },
    { sourceId: 2, fieldId: 1001, name: 'ts_hour', transform: 'hour' },
    { sourceId: 2, fieldId: 1002, name: 'ts_month', transform: 'month' },
    { sourceId: 2, fieldId: 1003, name: 'ts_year', transform: 'year' },
    { sourceId: 1, fieldId: 1004, name: 'id_bucket', transform: 'bucket[16]' },
    { sourceId: 5, fieldId: 1005, name: 'city', transform: 'identity' },
    { sourceId: 3, fieldId: 1006, name: 'name trunc', transform: 'truncate[4]' },
  ],
};

test('partitionTuple reads nested structs and yields null for missing parents', () => {
  const ts = isoToMicros('1969-12-31T23:30:00Z');
  const row = { id: 34n, ts, name: 'São Paulo', addr: { city: 'a/b c&d=é' }, blob: null, tags: [] };
  const tuple = partitionTuple(spec, schema, row);
  assert.deepEqual(tuple, [-1, -1, -1, -1, bucketOf(2017239379, 16), 'a/b c&d=é', 'São ']);
  assert.deepEqual(partitionTuple(spec, schema, { id: 1n, addr: null }).slice(0, 4), [null, null, null, null]);
  assert.equal(partitionTuple(spec, schema, { id: 1n, addr: null })[5], null);
  assert.equal(
    partitionPath(spec, schema, tuple),
    'ts_day=1969-12-31/ts_hour=1969-12-31-23/ts_month=1969-12/ts_year=1969/id_bucket=3/city=a%2Fb+c%26d%3D%C3%A9/name+trunc=S%C3%A3o+',
  );
});

test('partitionPath prints identity values as Java does', () => {
  const ident = (sourceId: number, name: string) => ({ specId: 2, fields: [{ sourceId, fieldId: 1000, name, transform: 'identity' as const }] });
  assert.equal(partitionPath(ident(2, 'ts'), schema, [isoToMicros('2017-11-16T22:31:08.100Z')]), 'ts=2017-11-16T22%3A31%3A08.1%2B00%3A00');
  assert.equal(partitionPath(ident(6, 'b'), schema, [Uint8Array.of(0xfb, 0xff)]), 'b=%2B%2F8%3D');
  assert.equal(partitionPath(ident(1, 'id'), schema, [null]), 'id=null');
  assert.equal(partitionPath({ specId: 0, fields: [] }, schema, []), '');
});

test('partition sources must exist, be primitive and not sit in a list', () => {
  const bad = (sourceId: number) => ({ specId: 9, fields: [{ sourceId, fieldId: 1000, name: 'p', transform: 'identity' as const }] });
  assert.throws(() => partitionTuple(bad(99), schema, {}), { name: 'ConfigError', message: /source field id 99/ });
  assert.throws(() => partitionTuple(bad(8), schema, {}), /source field id 8/);
  assert.throws(() => partitionTuple(bad(4), schema, {}), /struct<city: string>, not a primitive/);
});
