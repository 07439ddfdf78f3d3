import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Snapshot, SnapshotRef, TableMetadata } from '../spec/types.ts';
import { newTableMetadata } from './metadata-updates.ts';
import { expirySlackMs, historyIsLinear, planSnapshotExpiry, retentionOf } from './snapshot-expiry-plan.ts';

const MIN = 60_000;
const retention = { maxAgeMs: 60 * MIN, minSnapshotsToKeep: 3 };

/** A main branch of snapshots 1..n, one a minute, the last at `headAt`. */
function chain(n: number, headAt: number, extra: { refs?: Record<string, SnapshotRef>; snapshots?: Snapshot[]; properties?: Record<string, string> } = {}): TableMetadata {
  const base = newTableMetadata({ location: 'memory://t', schema: { schemaId: 0, identifierFieldIds: [1], fields: [{ id: 1, name: 'id', required: true, type: { type: 'long' } }] } });
  const snapshots: Snapshot[] = [];
  for (let i = 1; i <= n; i++) {
    snapshots.push({
      snapshotId: BigInt(i),
      ...(i > 1 ? { parentSnapshotId: BigInt(i - 1) } : {}),
      sequenceNumber: i,
      timestampMs: headAt - (n - i) * MIN,
      manifestList: `memory://t/metadata/snap-${i}.avro`,
      summary: { operation: 'append' },
    });
  }
  return {
    ...base,
    snapshots: [...snapshots, ...(extra.snapshots ?? [])],
    currentSnapshotId: BigInt(n),
    refs: { main: { snapshotId: BigInt(n), type: 'branch' }, ...extra.refs },
    properties: { ...base.properties, ...extra.properties },
  };
}

const ids = (plan: { expire: readonly Snapshot[] }): number[] => plan.expire.map((s) => Number(s.snapshotId));

test('nothing is expired until the oldest expirable snapshot is the slack past the age limit', () => {
  const now = 1_000 * MIN;
  // 70 snapshots a minute apart: the oldest is 69 min old, 9 past the limit; slack is 6 min
  assert.equal(expirySlackMs(retention), 6 * MIN);
  assert.deepEqual(ids(planSnapshotExpiry(chain(70, now), now, retention)), Array.from({ length: 9 }, (_, i) => i + 1), 'snapshots 1-9 are older than 60 min');
  // 65 snapshots: the oldest is 4 min past the limit, inside the slack
  assert.deepEqual(ids(planSnapshotExpiry(chain(65, now), now, retention)), []);
});

test('the newest minSnapshotsToKeep ancestors of main stay whatever their age; so do ref heads and protected snapshots', () => {
  const now = 1_000 * MIN;
  const old = chain(10, now - 500 * MIN, { refs: { v1: { snapshotId: 2n, type: 'tag' } } });
  assert.deepEqual(ids(planSnapshotExpiry(old, now, retention)), [1, 3, 4, 5, 6, 7], 'tag v1 keeps 2; 8, 9, 10 are the newest three');
  assert.deepEqual(ids(planSnapshotExpiry(old, now, retention, new Set([4n]))), [1, 3, 5, 6, 7], 'a protected snapshot stays');
  const branchMin = chain(10, now - 500 * MIN, { refs: { main: { snapshotId: 10n, type: 'branch', minSnapshotsToKeep: 6 } } });
  assert.deepEqual(ids(planSnapshotExpiry(branchMin, now, retention)), [1, 2, 3, 4], "the ref's own min-snapshots-to-keep wins");
});

test('the table properties Java reads override the defaults; bad values are ignored', () => {
  assert.deepEqual(retentionOf({ 'history.expire.max-snapshot-age-ms': '120000', 'history.expire.min-snapshots-to-keep': '7' }, retention), { maxAgeMs: 120_000, minSnapshotsToKeep: 7 });
  assert.deepEqual(retentionOf({ 'history.expire.max-snapshot-age-ms': 'soon', 'history.expire.min-snapshots-to-keep': '0' }, retention), retention);
  const now = 1_000 * MIN;
  const m = chain(10, now, { properties: { 'history.expire.max-snapshot-age-ms': String(2 * MIN), 'history.expire.min-snapshots-to-keep': '1' } });
  // limit 2 min, slack 1 min: snapshots older than 2 min go (1..7 are 3..9 min old)
  assert.deepEqual(ids(planSnapshotExpiry(m, now, retentionOf(m.properties, retention))), [1, 2, 3, 4, 5, 6, 7]);
});

test('the history is linear only when main is the only ref and every snapshot is an ancestor of its head', () => {
  const now = 1_000 * MIN;
  assert.equal(historyIsLinear(chain(10, now)), true);
  assert.equal(historyIsLinear(chain(10, now, { refs: { v1: { snapshotId: 9n, type: 'tag' } } })), false, 'another ref');
  // a rolled-back snapshot (parent 5, not on main)
  const orphan: Snapshot = { snapshotId: 99n, parentSnapshotId: 5n, sequenceNumber: 11, timestampMs: now, manifestList: 'memory://t/metadata/snap-99.avro', summary: { operation: 'append' } };
  assert.equal(historyIsLinear(chain(10, now, { snapshots: [orphan] })), false, 'a snapshot off main');
  const old = { ...orphan, timestampMs: now - 500 * MIN };
  const plan = planSnapshotExpiry(chain(10, now - 400 * MIN, { snapshots: [old] }), now, retention);
  assert.deepEqual(ids(plan).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 99]);
  assert.deepEqual([...plan.onMain].map(Number).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7], 'the rolled-back snapshot is not on main');
});
