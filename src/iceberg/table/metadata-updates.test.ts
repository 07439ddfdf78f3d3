/** newTableMetadata, checkRequirements and applyUpdates as pure functions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommitConflictError } from '../../core/errors.ts';
import type { Schema, Snapshot, TableMetadata } from '../spec/types.ts';
import { applyUpdates, checkRequirements, newTableMetadata } from './metadata-updates.ts';

const schema: Schema = {
  schemaId: 7,
  identifierFieldIds: [10],
  fields: [
    { id: 10, name: 'id', required: true, type: { type: 'long' } },
    {
      id: 20,
      name: 'tags',
      required: false,
      type: { type: 'list', elementId: 21, elementRequired: false, element: { type: 'struct', fields: [{ id: 22, name: 'k', required: true, type: { type: 'string' } }] } },
    },
    { id: 30, name: 'ts', required: false, type: { type: 'timestamptz' } },
  ],
};

const fresh = (): TableMetadata =>
  newTableMetadata({
    schema,
    spec: { specId: 5, fields: [{ sourceId: 30, fieldId: 1, name: 'ts_day', transform: 'day' }] },
    sortOrder: { orderId: 9, fields: [{ sourceId: 10, transform: 'identity', direction: 'asc', nullOrder: 'nulls-first' }] },
    location: 'memory://w/ns/t/',
    properties: { owner: 'me', 'format-version': '2' },
    nowMs: 1000,
  });

const snap = (id: bigint, seq: number, parent?: bigint): Snapshot => ({
  snapshotId: id,
  sequenceNumber: seq,
  timestampMs: 5000 + seq,
  manifestList: `memory://w/ns/t/metadata/snap-${id}.avro`,
  summary: { operation: 'append' },
  ...(parent === undefined ? {} : { parentSnapshotId: parent }),
});

describe('newTableMetadata', () => {
  it('assigns fresh ids level by level and remaps spec, sort order and identifier fields', () => {
    const m = fresh();
    const s = m.schemas[0]!;
    assert.deepEqual(s.fields.map((f) => f.id), [1, 2, 3]);
    const list = s.fields[1]!.type;
    assert.ok(list.type === 'list');
    assert.equal(list.elementId, 4);
    assert.ok(list.element.type === 'struct');
    assert.equal(list.element.fields[0]!.id, 5);
    assert.equal(m.lastColumnId, 5);
    assert.deepEqual(s.identifierFieldIds, [1]);
    assert.equal(s.schemaId, 0);
    assert.deepEqual(m.partitionSpecs, [{ specId: 0, fields: [{ sourceId: 3, fieldId: 1000, name: 'ts_day', transform: 'day' }] }]);
    assert.equal(m.lastPartitionId, 1000);
    assert.deepEqual(m.sortOrders[0], { orderId: 1, fields: [{ sourceId: 1, transform: 'identity', direction: 'asc', nullOrder: 'nulls-first' }] });
    assert.equal(m.defaultSortOrderId, 1);
    assert.equal(m.location, 'memory://w/ns/t');
    assert.deepEqual(m.properties, { owner: 'me' });
    assert.match(m.tableUuid, /^[0-9a-f-]{36}$/);
    assert.equal(m.currentSnapshotId, null);
    assert.equal(m.formatVersion, 2);
  });

  it('unpartitioned and unsorted: last-partition-id 999, order 0', () => {
    const m = newTableMetadata({ schema, location: '/w/t' });
    assert.equal(m.lastPartitionId, 999);
    assert.deepEqual(m.partitionSpecs, [{ specId: 0, fields: [] }]);
    assert.deepEqual(m.sortOrders, [{ orderId: 0, fields: [] }]);
  });

  it('rejects a spec on a column that is not in the schema', () => {
    assert.throws(() => newTableMetadata({ schema, location: '/w', spec: { specId: 0, fields: [{ sourceId: 99, fieldId: 1000, name: 'x', transform: 'identity' }] } }), /source id 99/);
  });
});

describe('checkRequirements', () => {
  const m = fresh();
  it('passes when all hold', () => {
    checkRequirements(m, [
      { type: 'assert-table-uuid', uuid: m.tableUuid },
      { type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: null },
      { type: 'assert-last-assigned-field-id', lastAssignedFieldId: 5 },
      { type: 'assert-current-schema-id', currentSchemaId: 0 },
      { type: 'assert-last-assigned-partition-id', lastAssignedPartitionId: 1000 },
      { type: 'assert-default-spec-id', defaultSpecId: 0 },
      { type: 'assert-default-sort-order-id', defaultSortOrderId: 1 },
    ], 'ns.t');
    checkRequirements(undefined, [{ type: 'assert-create' }], 'ns.t');
  });

  it('names the table and the failed requirement', () => {
    const cases: [TableMetadata | undefined, Parameters<typeof checkRequirements>[1][number], RegExp][] = [
      [m, { type: 'assert-create' }, /assert-create failed: table already exists/],
      [undefined, { type: 'assert-current-schema-id', currentSchemaId: 0 }, /table does not exist/],
      [m, { type: 'assert-table-uuid', uuid: 'other' }, /assert-table-uuid failed/],
      [m, { type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: 42n }, /ref main at snapshot 42, found no ref/],
      [m, { type: 'assert-last-assigned-field-id', lastAssignedFieldId: 4 }, /expected 4, found 5/],
      [m, { type: 'assert-default-sort-order-id', defaultSortOrderId: 0 }, /assert-default-sort-order-id/],
    ];
    for (const [cur, req, re] of cases) {
      assert.throws(() => checkRequirements(cur, [req], 'ns.t'), (e: unknown) => e instanceof CommitConflictError && re.test(e.message) && e.message.includes('ns.t'), req.type);
    }
  });

  it('detects a ref that moved', () => {
    const m2 = applyUpdates(m, [{ action: 'add-snapshot', snapshot: snap(1n, 1) }, { action: 'set-snapshot-ref', refName: 'main', snapshotId: 1n, type: 'branch' }], 2000);
    assert.throws(() => checkRequirements(m2, [{ type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: null }], 't'), /to be absent, found snapshot 1/);
  });
});

describe('applyUpdates', () => {
  it('adds snapshots, moves main, logs it and bumps the sequence number', () => {
    const big = 8964312216982833686n;
    const m1 = applyUpdates(fresh(), [{ action: 'add-snapshot', snapshot: snap(big, 1) }, { action: 'set-snapshot-ref', refName: 'main', snapshotId: big, type: 'branch' }], 9000);
    assert.equal(m1.currentSnapshotId, big);
    assert.equal(m1.lastSequenceNumber, 1);
    assert.deepEqual(m1.refs.main, { snapshotId: big, type: 'branch' });
    assert.deepEqual(m1.snapshotLog, [{ timestampMs: 5001, snapshotId: big }]);
    assert.equal(m1.lastUpdatedMs, 9000);
    const m2 = applyUpdates(m1, [{ action: 'add-snapshot', snapshot: snap(2n, 2, big) }, { action: 'set-snapshot-ref', refName: 'main', snapshotId: 2n, type: 'branch' }], 9500);
    assert.equal(m2.snapshots.length, 2);
    assert.equal(m2.snapshotLog.length, 2);
    assert.equal(m1.snapshots.length, 1, 'base is not mutated');
  });

  it('refuses a stale sequence number or a duplicate snapshot id with CommitConflictError', () => {
    const m1 = applyUpdates(fresh(), [{ action: 'add-snapshot', snapshot: snap(1n, 1) }], 1);
    assert.throws(() => applyUpdates(m1, [{ action: 'add-snapshot', snapshot: snap(2n, 1) }], 2), (e: unknown) => e instanceof CommitConflictError && /sequence number 1, not above last-sequence-number 1/.test(e.message));
    assert.throws(() => applyUpdates(m1, [{ action: 'add-snapshot', snapshot: snap(1n, 2) }], 2), /snapshot 1 already exists/);
  });

  it('resolves -1 to the last added schema and spec, reusing identical ones', () => {
    const m = fresh();
    const evolved: Schema = { ...m.schemas[0]!, fields: [...m.schemas[0]!.fields, { id: 6, name: 'extra', required: false, type: { type: 'string' } }] };
    const m1 = applyUpdates(m, [
      { action: 'add-schema', schema: evolved, lastColumnId: 6 },
      { action: 'set-current-schema', schemaId: -1 },
      { action: 'add-spec', spec: { specId: 0, fields: [] } },
      { action: 'set-default-spec', specId: -1 },
      { action: 'add-sort-order', sortOrder: { orderId: 0, fields: [] } },
      { action: 'set-default-sort-order', sortOrderId: -1 },
    ], 3);
    assert.equal(m1.currentSchemaId, 1);
    assert.equal(m1.lastColumnId, 6);
    assert.equal(m1.defaultSpecId, 1);
    assert.equal(m1.lastPartitionId, 1000);
    assert.equal(m1.defaultSortOrderId, 0);
    const again = applyUpdates(m1, [{ action: 'add-schema', schema: { ...evolved, schemaId: 99 } }, { action: 'set-current-schema', schemaId: -1 }], 4);
    assert.equal(again.schemas.length, 2, 'identical schema reused');
    assert.throws(() => applyUpdates(m, [{ action: 'set-current-schema', schemaId: -1 }], 5), /-1 is meaningless/);
  });

  it('sets and removes properties, refs and snapshots', () => {
    const m1 = applyUpdates(fresh(), [
      { action: 'set-properties', updates: { a: '1', b: '2' } },
      { action: 'remove-properties', removals: ['owner', 'b'] },
      { action: 'add-snapshot', snapshot: snap(1n, 1) },
      { action: 'set-snapshot-ref', refName: 'main', snapshotId: 1n, type: 'branch' },
      { action: 'set-snapshot-ref', refName: 'v1', snapshotId: 1n, type: 'tag' },
    ], 7);
    assert.deepEqual(m1.properties, { a: '1' });
    assert.equal(m1.refs.v1?.type, 'tag');
    const m2 = applyUpdates(m1, [{ action: 'remove-snapshot-ref', refName: 'v1' }, { action: 'remove-snapshots', snapshotIds: [1n] }], 8);
    assert.deepEqual(m2.refs, {});
    assert.equal(m2.currentSnapshotId, null);
    assert.equal(m2.snapshots.length, 0);
  });

  it('returns the base unchanged for no updates', () => {
    const m = fresh();
    assert.equal(applyUpdates(m, [], 99), m);
  });
});
