import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Change } from '../../core/change.ts';
import type { Snapshot, TableMetadata } from '../../iceberg/spec/types.ts';
import {
  alreadyLoaded,
  checkpointProperty,
  checkpointSummary,
  decodeOffsets,
  decodePosition,
  encodeOffsets,
  encodePosition,
  mergeOffsets,
  offsetsAfter,
  parsePgSnapshot,
  readCheckpoint,
  readLoadWatermark,
  visibleInSnapshot,
  widenXid,
} from './checkpoint.ts';

const E = 2n ** 32n;

test('offsets round-trip exactly (beyond 2^53), sorted, and merge per partition', () => {
  const offsets = new Map([['b.t', new Map([[2, 2n ** 60n], [0, 5n]])], ['a.t', new Map([[0, 1n]])]]);
  const text = encodeOffsets(offsets);
  assert.equal(text, `{"a.t":{"0":"1"},"b.t":{"0":"5","2":"${2n ** 60n}"}}`);
  assert.deepEqual(decodeOffsets(text), offsets);
  const merged = mergeOffsets(offsets, new Map([['b.t', new Map([[0, 9n]])]]));
  assert.deepEqual(merged.get('b.t'), new Map([[2, 2n ** 60n], [0, 9n]]));
  assert.throws(() => decodeOffsets('{"t":{"x":"1"}}'), /bad offset t\[x\]/);
});

test('offsetsAfter: next offset per partition is the highest seen + 1', () => {
  const c = (partition: number, offset: bigint): Change => ({ table: 't', op: 'upsert', key: null, after: {}, before: null, unchanged: [], position: {}, origin: { topic: 'tp', partition, offset } });
  assert.deepEqual(offsetsAfter([c(0, 5n), c(1, 2n), c(0, 3n)]), new Map([['tp', new Map([[0, 6n], [1, 3n]])]]));
});

test('source positions round-trip with bigints as strings', () => {
  const p = { lsn: 2n ** 63n - 1n, commitLsn: 5n, txId: 7n };
  assert.equal(encodePosition(p), `{"lsn":"${2n ** 63n - 1n}","commitLsn":"5","txId":"7"}`);
  assert.deepEqual(decodePosition(encodePosition(p)), p);
});

function meta(snapshots: { id: bigint; parent?: bigint; summary: Record<string, string> }[], current: bigint, properties: Record<string, string> = {}): TableMetadata {
  const snaps: Snapshot[] = snapshots.map((s, i) => ({
    snapshotId: s.id,
    ...(s.parent === undefined ? {} : { parentSnapshotId: s.parent }),
    sequenceNumber: i + 1,
    timestampMs: i,
    manifestList: '',
    summary: { operation: 'append', ...s.summary },
  }));
  return { snapshots: snaps, currentSnapshotId: current, refs: { main: { snapshotId: current, type: 'branch' } }, properties } as unknown as TableMetadata;
}

test('readCheckpoint walks back from main to the newest snapshot with floe keys, ignoring other branches', () => {
  const m = meta(
    [
      { id: 1n, summary: {} },
      { id: 2n, parent: 1n, summary: { ...checkpointSummary(new Map([['t', new Map([[0, 10n]])]]), { lsn: 100n }), 'floe.commit-id': 'c2' } },
      { id: 3n, parent: 2n, summary: {} }, // a compaction by another engine
      { id: 4n, parent: 2n, summary: checkpointSummary(new Map([['t', new Map([[0, 99n]])]]), null) }, // not on main
    ],
    3n,
  );
  const cp = readCheckpoint(m);
  assert.equal(cp?.snapshotId, 2n);
  assert.equal(cp?.commitId, 'c2');
  assert.deepEqual(cp?.offsets, new Map([['t', new Map([[0, 10n]])]]));
  assert.deepEqual(cp?.position, { lsn: 100n });
  assert.equal(readCheckpoint(meta([{ id: 1n, summary: {} }], 1n)), null);
});

test('checkpointProperty inlines the checkpoint keys; readCheckpoint falls back to it only when its snapshot expired below a cut history', () => {
  const summary = { ...checkpointSummary(new Map([['t', new Map([[0, 10n]])]]), { lsn: 100n }), 'other.key': 'x' };
  const property = checkpointProperty(summary, 'c2');
  assert.deepEqual(property, { 'floe.sync.checkpoint': '{"floe.commit-id":"c2","floe.kafka.offsets":{"t":{"0":"10"}},"floe.source.position":{"lsn":"100"}}' });
  assert.deepEqual(checkpointProperty({ 'other.key': 'x' }, 'c3'), {}, 'no checkpoint keys: no property');

  // compaction 3 on top of expired sync commit 2: the property answers
  const expired = readCheckpoint(meta([{ id: 3n, parent: 2n, summary: {} }], 3n, property));
  assert.equal(expired?.from, 'property');
  assert.equal(expired?.snapshotId, null);
  assert.equal(expired?.commitId, 'c2');
  assert.deepEqual(expired?.offsets, new Map([['t', new Map([[0, 10n]])]]));
  assert.deepEqual(expired?.position, { lsn: 100n });
  assert.deepEqual(expired?.summary, { 'floe.commit-id': 'c2', 'floe.kafka.offsets': '{"t":{"0":"10"}}', 'floe.source.position': '{"lsn":"100"}' });

  // commit c2 still in the table (off main): rolled back; main's root reached: nothing expired under it
  assert.equal(readCheckpoint(meta([{ id: 3n, parent: 1n, summary: {} }, { id: 2n, summary: { 'floe.commit-id': 'c2' } }], 3n, property)), null);
  assert.equal(readCheckpoint(meta([{ id: 3n, summary: {} }], 3n, property)), null);
  assert.throws(() => readCheckpoint(meta([{ id: 3n, parent: 2n, summary: {} }], 3n, { 'floe.sync.checkpoint': '{}' })), /floe\.sync\.checkpoint: no floe\.commit-id/);
});

test('pg snapshot visibility: below xmin visible, at/after xmax not, in between unless in progress', () => {
  const s = parsePgSnapshot('100:110:102,105');
  assert.deepEqual([...s.xip], [102n, 105n]);
  assert.equal(visibleInSnapshot(s, 99n), true);
  assert.equal(visibleInSnapshot(s, 101n), true);
  assert.equal(visibleInSnapshot(s, 102n), false);
  assert.equal(visibleInSnapshot(s, 110n), false);
  assert.equal(visibleInSnapshot(parsePgSnapshot('5:5:'), 4n), true);
  assert.throws(() => parsePgSnapshot('1:2'), /not a pg_snapshot/);
});

test('32-bit Debezium txIds are widened into the epoch of the snapshot xmax, across wraparound', () => {
  // epoch 3, xmax just past the epoch boundary: a 32-bit xid near 2^32 belongs to epoch 2
  const s = parsePgSnapshot(`${3n * E - 10n}:${3n * E + 5n}:${3n * E + 1n}`);
  assert.equal(widenXid(3n, s), 3n * E + 3n);
  assert.equal(widenXid(E - 20n, s), 2n * E + (E - 20n));
  assert.equal(widenXid(3n * E + 3n, s), 3n * E + 3n); // already 64-bit
  assert.equal(visibleInSnapshot(s, E - 20n), true); // committed long before (epoch 2, < xmin)
  assert.equal(visibleInSnapshot(s, E - 5n), true); // epoch 2: 3E-5, between xmin and xmax, finished
  assert.equal(visibleInSnapshot(parsePgSnapshot(`${3n * E - 10n}:${3n * E + 5n}:${3n * E - 5n}`), E - 5n), false); // same xid in progress
  assert.equal(visibleInSnapshot(s, 1n), false); // in progress (xip)
  assert.equal(visibleInSnapshot(s, 2n), true); // between xmin and xmax, finished
  assert.equal(visibleInSnapshot(s, 6n), false); // after xmax
  // epoch 0 snapshot: a 32-bit id near the top is simply itself
  const z = parsePgSnapshot('1000:2000:');
  assert.equal(widenXid(1500n, z), 1500n);
  assert.equal(visibleInSnapshot(z, 999n), true);
});

test('alreadyLoaded: txid visibility first, then commit LSN (not the change LSN), then commit SCN', () => {
  const w = { snapshotId: 1n, pgSnapshot: parsePgSnapshot('100:110:105'), lsn: 1000n };
  assert.equal(alreadyLoaded({ txId: 105n, lsn: 900n, commitLsn: 1100n }, w), false); // open across the snapshot
  assert.equal(alreadyLoaded({ txId: 101n, lsn: 900n, commitLsn: 950n }, w), true);
  const lsnOnly = { snapshotId: 1n, lsn: 1000n };
  assert.equal(alreadyLoaded({ lsn: 900n, commitLsn: 1000n }, lsnOnly), true);
  assert.equal(alreadyLoaded({ lsn: 900n, commitLsn: 1001n }, lsnOnly), false);
  assert.equal(alreadyLoaded({ lsn: 900n }, lsnOnly), false); // no commit position: re-apply (idempotent by key)
  assert.equal(alreadyLoaded({ commitScn: 50n }, { snapshotId: 1n, scn: 50n }), true);
});

test('readLoadWatermark finds the load commit and parses its keys', () => {
  const m = meta(
    [
      { id: 1n, summary: { 'floe.source.pg-snapshot': '7:9:8', 'floe.source.lsn': '1234' } },
      { id: 2n, parent: 1n, summary: checkpointSummary(null, { lsn: 2000n }) },
    ],
    2n,
  );
  const w = readLoadWatermark(m);
  assert.equal(w?.snapshotId, 1n);
  assert.equal(w?.lsn, 1234n);
  assert.deepEqual([...(w?.pgSnapshot?.xip ?? [])], [8n]);
});
