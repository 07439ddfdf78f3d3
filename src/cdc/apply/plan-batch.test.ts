import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Change } from '../../core/change.ts';
import { BadEventError } from '../../core/errors.ts';
import { FileContent, type DataFile, type Row, type Schema } from '../../iceberg/spec/types.ts';
import type { RowPosition } from '../../iceberg/table/table-writer.ts';
import { encodeKey, hashRow, idString, rowIdentity } from './key-encoding.ts';
import { collapseBatch, completeRows, lookupIds, planWrites, positionKey } from './plan-batch.ts';

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [1],
  fields: [
    { id: 1, name: 'id', required: true, type: { type: 'long' } },
    { id: 2, name: 'name', required: false, type: { type: 'string' } },
    { id: 3, name: 'doc', required: false, type: { type: 'string' } },
  ],
};
const keyed = rowIdentity(schema);
const keyless = rowIdentity({ ...schema, identifierFieldIds: [] });
const composite = rowIdentity({ ...schema, identifierFieldIds: [2, 1] });

const file = (name: string): DataFile => ({ content: FileContent.Data, filePath: `file:///t/${name}`, fileFormat: 'PARQUET', specId: 0, partition: [], recordCount: 100, fileSizeInBytes: 1 });
const at = (f: string, pos: number): RowPosition => ({ dataFile: file(f), pos });
const k = (id: bigint): string => idString(encodeKey(keyed, { id }, 't'));

let seq = 0n;
function change(op: Change['op'], fields: Partial<Change> = {}): Change {
  seq += 1n;
  return { table: 't', op, key: null, after: null, before: null, unchanged: [], position: { lsn: seq }, ...fields };
}
const up = (row: Row, unchanged: string[] = [], key: Row | null = null): Change => change('upsert', { key: key ?? { id: row.id! }, after: row, unchanged });
const del = (id: bigint): Change => change('delete', { key: { id } });

function plan(changes: Change[], located: Record<string, RowPosition[]> = {}, identity = keyed) {
  const batch = collapseBatch(changes, identity, 't');
  return { batch, plan: planWrites(batch, new Map(Object.entries(located))) };
}

test('insert of a new key: one insert, no deletes', () => {
  const { plan: p } = plan([up({ id: 1n, name: 'a', doc: 'x' })]);
  assert.deepEqual(p.inserts.map((i) => i.row), [{ id: 1n, name: 'a', doc: 'x' }]);
  assert.equal(p.deletes.length, 0);
});

test('update of a live key deletes its position and inserts the new row; last change wins', () => {
  const { batch, plan: p } = plan([up({ id: 1n, name: 'a', doc: 'x' }), up({ id: 1n, name: 'b', doc: 'y' })], { [k(1n)]: [at('f1', 7)] });
  assert.deepEqual(lookupIds(batch).map(idString), [k(1n)]);
  assert.deepEqual(p.deletes.map((d) => positionKey(d.position)), ['file:///t/f1#7']);
  assert.deepEqual(p.inserts.map((i) => i.row), [{ id: 1n, name: 'b', doc: 'y' }]);
  assert.deepEqual(batch.counts, { upserts: 2, deletes: 0, truncates: 0 });
});

test('delete of a live key: position delete only; of an absent key: nothing', () => {
  const { plan: p } = plan([del(1n), del(2n)], { [k(1n)]: [at('f1', 3)] });
  assert.deepEqual(p.deletes.map((d) => d.position.pos), [3]);
  assert.equal(p.inserts.length, 0);
});

test('delete then re-insert of one key in one batch ends as an upsert', () => {
  const { plan: p } = plan([del(1n), up({ id: 1n, name: 'again', doc: null })], { [k(1n)]: [at('f1', 0)] });
  assert.equal(p.deletes.length, 1);
  assert.deepEqual(p.inserts.map((i) => i.row), [{ id: 1n, name: 'again', doc: null }]);
});

test('insert then delete in one batch writes nothing but deletes the pre-batch row', () => {
  const { plan: p } = plan([up({ id: 1n, name: 'a', doc: 'x' }), del(1n)], { [k(1n)]: [at('f1', 4)] });
  assert.equal(p.inserts.length, 0);
  assert.deepEqual(p.deletes.map((d) => d.position.pos), [4]);
});

test('deletes say whether the plan re-adds their key (an update moves it, a delete drops it)', () => {
  const { plan: p } = plan([up({ id: 1n, name: 'a', doc: null }), del(2n), del(3n), up({ id: 3n, name: 'back', doc: null })], {
    [k(1n)]: [at('f1', 1)],
    [k(2n)]: [at('f1', 2)],
    [k(3n)]: [at('f1', 3)],
  });
  assert.deepEqual(p.deletes.map((d) => [d.id, d.readded]), [[k(1n), true], [k(2n), false], [k(3n), true]]);
  assert.deepEqual(p.inserts.map((i) => i.id), [k(1n), k(3n)]);
});

test('an upsert whose key is given as another object, or as a number for a bigint, is the same key', () => {
  const { batch, plan: p } = plan([up({ id: 1n, name: 'a', doc: null }, [], { id: 1n }), up({ id: 2n, name: 'b', doc: null }, [], { id: 2 })], { [k(1n)]: [at('f1', 1)], [k(2n)]: [at('f1', 2)] });
  assert.deepEqual([...batch.finals.keys()], [k(1n), k(2n)]);
  assert.deepEqual(p.deletes.map((d) => [d.id, d.readded]), [[k(1n), true], [k(2n), true]]);
  assert.deepEqual(p.inserts.map((i) => i.row.name), ['a', 'b']);
  assert.throws(() => plan([change('upsert', { key: { id: 1n }, after: { name: 'no key' } })]), /key column 'id' missing/);
});

test('primary-key update removes the old key and upserts the new one', () => {
  const { plan: p } = plan([up({ id: 2n, name: 'moved', doc: 'd' }, [], { id: 1n })], { [k(1n)]: [at('f1', 1)], [k(2n)]: [] });
  assert.deepEqual(p.deletes.map((d) => [d.id, d.position.pos]), [[k(1n), 1]]);
  assert.deepEqual(p.inserts.map((i) => [i.id, i.row.name]), [[k(2n), 'moved']]);
});

test('TOAST: unchanged columns come from the live row; PK update carries from the old key', () => {
  const { plan: p } = plan([up({ id: 1n, name: 'n' }, ['doc']), up({ id: 3n, name: 'm' }, ['doc'], { id: 2n })], {
    [k(1n)]: [at('f1', 5)],
    [k(2n)]: [at('f2', 9)],
  });
  assert.deepEqual(p.needsCurrentRow.map(positionKey).sort(), ['file:///t/f1#5', 'file:///t/f2#9']);
  const rows = completeRows(p, new Map([['file:///t/f1#5', { doc: 'big1' }], ['file:///t/f2#9', { doc: 'big2' }]]));
  assert.deepEqual(rows, [{ id: 1n, name: 'n', doc: 'big1' }, { id: 3n, name: 'm', doc: 'big2' }]);
});

test('TOAST within a batch: an earlier full row supplies the column, no read needed', () => {
  const { plan: p } = plan([up({ id: 1n, name: 'a', doc: 'full' }), up({ id: 1n, name: 'b', doc: '__placeholder' }, ['doc'])], { [k(1n)]: [at('f1', 0)] });
  assert.equal(p.needsCurrentRow.length, 0);
  assert.deepEqual(completeRows(p, new Map()), [{ id: 1n, name: 'b', doc: 'full' }]);
});

test('TOAST twice on one key keeps reading the pre-batch row for still-missing columns', () => {
  const { plan: p } = plan([up({ id: 1n, name: 'a' }, ['doc']), up({ id: 1n }, ['doc', 'name'])], { [k(1n)]: [at('f1', 2)] });
  assert.deepEqual(completeRows(p, new Map([['file:///t/f1#2', { doc: 'old' }]])), [{ id: 1n, name: 'a', doc: 'old' }]);
});

test('TOAST with no row to carry from is a bad event naming the table and key', () => {
  assert.throws(() => plan([del(1n), up({ id: 1n, name: 'x' }, ['doc'])], { [k(1n)]: [at('f1', 0)] }), (e: Error) => e instanceof BadEventError && /table t: key id=1 /.test(e.message));
  assert.throws(() => plan([up({ id: 1n, name: 'x' }, ['doc'])]), BadEventError);
});

test('NULL values are data, not absence: a null name replaces a value', () => {
  const { plan: p } = plan([up({ id: 1n, name: null, doc: null })], { [k(1n)]: [at('f1', 0)] });
  assert.deepEqual(completeRows(p, new Map()), [{ id: 1n, name: null, doc: null }]);
});

test('composite keys: every column counts, in identifier order, and null key parts stay distinct', () => {
  const a = encodeKey(composite, { id: 1n, name: 'ab' }, 't');
  const b = encodeKey(composite, { id: 1n, name: 'a' }, 't');
  const c = encodeKey(composite, { id: 1n, name: null }, 't');
  const d = encodeKey(composite, { id: 1n, name: '' }, 't');
  assert.equal(new Set([a, b, c, d].map(idString)).size, 4);
  const batch = collapseBatch(
    [change('upsert', { key: { name: 'x', id: 1n }, after: { id: 1n, name: 'x', doc: '1' } }), change('upsert', { key: { name: 'y', id: 1n }, after: { id: 1n, name: 'y', doc: '2' } })],
    composite,
    't',
  );
  assert.equal(batch.finals.size, 2);
});

test('key encoding is exact: long beyond 2^53, int as number or bigint, uuid case, decimals', () => {
  const ids = rowIdentity({
    schemaId: 0,
    identifierFieldIds: [1, 2, 3],
    fields: [
      { id: 1, name: 'l', required: true, type: { type: 'long' } },
      { id: 2, name: 'u', required: true, type: { type: 'uuid' } },
      { id: 3, name: 'm', required: true, type: { type: 'decimal', precision: 38, scale: 2 } },
    ],
  });
  const enc = (l: bigint | number, u: string, m: bigint) => idString(encodeKey(ids, { l, u, m }, 't'));
  const u = 'AAAAAAAA-0000-0000-0000-000000000001';
  assert.equal(enc(2n ** 53n + 1n, u, 1n), enc(2n ** 53n + 1n, u.toLowerCase(), 1n));
  assert.notEqual(enc(2n ** 53n + 1n, u, 1n), enc(2n ** 53n, u, 1n));
  assert.equal(enc(5, u, 1n), enc(5n, u, 1n));
  assert.notEqual(enc(5n, u, 10n ** 37n), enc(5n, u, 10n ** 37n + 1n));
  // integer order is byte order (bulk loads in key order append to the index)
  const order = [-(2n ** 63n), -1n, 0n, 1n, 2n ** 63n - 1n].map((v) => Buffer.from(encodeKey(keyed, { id: v }, 't')));
  assert.deepEqual([...order].sort(Buffer.compare), order);
  assert.throws(() => encodeKey(keyed, { id: 2n ** 63n }, 't'), BadEventError);
  assert.throws(() => encodeKey(keyed, { name: 'x' }, 't'), /key column 'id' missing/);
});

test('truncate mid-batch voids earlier changes; later ones apply on the emptied table', () => {
  const { batch, plan: p } = plan([up({ id: 1n, name: 'gone', doc: null }), del(5n), change('truncate'), up({ id: 2n, name: 'kept', doc: null }), del(3n)], {
    [k(2n)]: [at('f1', 2)],
    [k(5n)]: [at('f1', 5)],
  });
  assert.equal(p.truncate, true);
  assert.deepEqual(lookupIds(batch), []);
  assert.equal(p.deletes.length, 0);
  assert.deepEqual(p.inserts.map((i) => i.row.name), ['kept']);
  assert.throws(() => plan([change('truncate'), up({ id: 1n }, ['doc'])]), BadEventError);
});

test('keyless: a delete removes ONE matching row; upserts are inserts; in-batch pairs cancel', () => {
  const row = { id: 1n, name: 'dup', doc: null };
  const h = idString(hashRow(keyless, row, 't'));
  const kl = (op: Change['op'], r: Row) => change(op, op === 'delete' ? { before: r } : { after: r });
  const { plan: p } = plan([kl('delete', row), kl('upsert', row), kl('upsert', row), kl('delete', row)], { [h]: [at('f2', 9), at('f1', 3), at('f1', 1)] }, keyless);
  assert.deepEqual(p.deletes.map((d) => positionKey(d.position)), ['file:///t/f1#1']);
  assert.deepEqual(p.inserts.map((i) => i.row), [row]);
  const { plan: q } = plan([kl('delete', row), kl('delete', row), kl('delete', row), kl('delete', row)], { [h]: [at('f1', 1), at('f1', 2)] }, keyless);
  assert.equal(q.deletes.length, 2);
  assert.equal(q.missingDeletes, 2);
  assert.throws(() => plan([change('delete', { before: null })], {}, keyless), /REPLICA IDENTITY FULL/);
});

test('keyless update with a before-image: remove one old row, insert the new one, holes filled from before', () => {
  const before = { id: 1n, name: 'a', doc: 'big' };
  const h = idString(hashRow(keyless, before, 't'));
  const { plan: p } = plan([change('upsert', { before, after: { id: 1n, name: 'b' }, unchanged: ['doc'] })], { [h]: [at('f1', 0)] }, keyless);
  assert.equal(p.deletes.length, 1);
  assert.deepEqual(p.inserts.map((i) => i.row), [{ id: 1n, name: 'b', doc: 'big' }]);
});

test('whole-row hash: map entry order does not matter, -0 equals 0, NaN equals NaN', () => {
  const s: Schema = {
    schemaId: 0,
    identifierFieldIds: [],
    fields: [
      { id: 1, name: 'm', required: false, type: { type: 'map', keyId: 3, key: { type: 'string' }, valueId: 4, valueRequired: false, value: { type: 'long' } } },
      { id: 2, name: 'd', required: false, type: { type: 'double' } },
    ],
  };
  const ident = rowIdentity(s);
  const h = (r: Row) => idString(hashRow(ident, r, 't'));
  assert.equal(h({ m: new Map([['a', 1n], ['b', 2n]]), d: 0 }), h({ m: new Map([['b', 2n], ['a', 1n]]), d: -0 }));
  assert.equal(h({ m: null, d: Number.NaN }), h({ m: null, d: Number.NaN }));
  assert.notEqual(h({ m: null, d: null }), h({ m: new Map(), d: null }));
});
