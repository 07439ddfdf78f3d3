import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Snapshot, TableMetadata } from '../../iceberg/spec/types.ts';
import { decideLoad, type DecisionInput } from './load-decision.ts';
import { branchBase, branchLoads, chunkSummary, doneChunks, isLoaded, LOAD_KEYS, parsePlan, remainingChunks, type LoadPlan } from './load-state.ts';

const plan: LoadPlan = {
  format: 1, loadId: 'r1', strategy: 'pk', keyColumns: ['id'], columns: ['id', 'v'], schemaId: 0, reload: false,
  watermark: { lsn: '0/10', pgSnapshot: '100:105:101,103' },
  chunks: [
    { id: '00000', range: { kind: 'key', lo: null, hi: ['10'] } },
    { id: '00001', range: { kind: 'key', lo: ['10'], hi: ['20'] } },
    { id: '00002', range: { kind: 'key', lo: ['20'], hi: null } },
  ],
};

function snap(id: bigint, parent: bigint | undefined, summary: Record<string, string>, ts = Number(id)): Snapshot {
  return { snapshotId: id, ...(parent === undefined ? {} : { parentSnapshotId: parent }), sequenceNumber: Number(id), timestampMs: ts, manifestList: `m${id}`, summary: { operation: 'append', ...summary } };
}

function chunkSnap(id: bigint, parent: bigint | undefined, loadId: string, chunk: string, rows: number): Snapshot {
  const s = chunkSummary({ ...plan, loadId }, `file:///t/metadata/floe-load-${loadId}-plan.json`, chunk, { kind: 'all' }, { lsn: '0/20', pgSnapshot: '200:200:' });
  return snap(id, parent, { ...s, 'added-records': String(rows) });
}

function metadata(snapshots: Snapshot[], refs: Record<string, bigint>, properties: Record<string, string> = {}): TableMetadata {
  return {
    formatVersion: 2, tableUuid: 'u', location: 'file:///t', lastSequenceNumber: 9, lastUpdatedMs: 0, lastColumnId: 2, schemas: [], currentSchemaId: 0,
    partitionSpecs: [], defaultSpecId: 0, lastPartitionId: 999, properties, currentSnapshotId: refs['main'] ?? null, snapshots, snapshotLog: [],
    metadataLog: [], sortOrders: [], defaultSortOrderId: 0,
    refs: Object.fromEntries(Object.entries(refs).map(([k, v]) => [k, { snapshotId: v, type: 'branch' as const }])),
  };
}

// main at 1 (an earlier load); load r1 committed chunks 00000 and 00002 on its branch.
const m = metadata(
  [snap(1n, undefined, { [LOAD_KEYS.loadId]: 'r0', [LOAD_KEYS.chunk]: '00000' }), chunkSnap(2n, 1n, 'r1', '00000', 10), chunkSnap(3n, 2n, 'r1', '00002', 7)],
  { main: 1n, 'floe-load-r1': 3n },
  { [LOAD_KEYS.completeRun]: 'r0' },
);

describe('load state from table metadata', () => {
  it('writes the watermark of the first snapshot and where this chunk was read', () => {
    const s = chunkSummary(plan, 'p', '00001', plan.chunks[1]!.range, { lsn: '0/99', pgSnapshot: '300:300:' });
    assert.equal(s[LOAD_KEYS.lsn], '0/10');
    assert.equal(s[LOAD_KEYS.pgSnapshot], '100:105:101,103');
    assert.equal(s[LOAD_KEYS.chunkLsn], '0/99');
    assert.equal(s[LOAD_KEYS.chunk], '00001');
    assert.deepEqual(JSON.parse(s[LOAD_KEYS.chunkRange]!), { kind: 'key', lo: ['10'], hi: ['20'] });
  });

  it('finds the chunks on a branch, stopping where the branch left main', () => {
    assert.deepEqual([...doneChunks(m, 3n, 'r1')], [['00002', 7], ['00000', 10]]);
    assert.equal(branchBase(m, 3n, 'r1'), 1n);
    const [b] = branchLoads(m);
    assert.equal(b!.loadId, 'r1');
    assert.equal(b!.planPath, 'file:///t/metadata/floe-load-r1-plan.json');
    assert.deepEqual(remainingChunks(plan, b!.done).map((c) => c.id), ['00001'], 'the complement of what is done');
  });

  it('a load branch on an empty table has no base', () => {
    const e = metadata([chunkSnap(5n, undefined, 'r2', '00000', 1)], { 'floe-load-r2': 5n });
    assert.equal(branchBase(e, 5n, 'r2'), null);
  });

  it('parses plans and rejects anything else, naming the file', () => {
    assert.deepEqual(parsePlan(JSON.stringify(plan), 'p.json'), plan);
    assert.throws(() => parsePlan('{', 'p.json'), /load plan p.json: not JSON/);
    assert.throws(() => parsePlan('{"format":2}', 'p.json'), /p.json: not a floe load plan/);
  });

  it('knows a completed load only when no load is staged', () => {
    assert.equal(isLoaded(m), false);
    assert.equal(isLoaded(metadata([snap(1n, undefined, {})], { main: 1n }, { [LOAD_KEYS.completeRun]: 'r0' })), true);
    assert.equal(isLoaded(metadata([], {})), false);
  });
});

describe('decideLoad', () => {
  const input: DecisionInput = { reload: false, resumable: true, columns: ['id', 'v'], keyColumns: ['id'], newestPlan: plan };

  it('resumes the newest keyed branch whose base is still main', () => {
    const d = decideLoad(m, input, 't');
    assert.equal(d.kind, 'resume');
    if (d.kind === 'resume') assert.equal(d.expectedMain, 1n);
  });

  it('restarts when the plan is missing, ctid-split, for other columns, or main moved', () => {
    assert.equal(decideLoad(m, { ...input, newestPlan: undefined }, 't').kind, 'fresh');
    assert.equal(decideLoad(m, { ...input, newestPlan: { ...plan, strategy: 'ctid' } }, 't').kind, 'fresh');
    assert.equal(decideLoad(m, { ...input, columns: ['id'] }, 't').kind, 'fresh');
    assert.equal(decideLoad(m, { ...input, resumable: false }, 't').kind, 'fresh', 'a new slot snapshot cannot extend an older load');
    const moved = metadata([...m.snapshots, snap(9n, 1n, {})], { main: 9n, 'floe-load-r1': 3n }, m.properties);
    const d = decideLoad(moved, input, 't');
    assert.equal(d.kind, 'fresh');
    if (d.kind === 'fresh') assert.deepEqual([d.reload, d.drop, d.expectedMain], [true, ['floe-load-r1'], 9n]);
  });

  it('--reload always starts fresh, replacing main', () => {
    const d = decideLoad(m, { ...input, reload: true }, 't');
    assert.equal(d.kind, 'fresh');
    if (d.kind === 'fresh') assert.deepEqual([d.reload, d.drop], [true, ['floe-load-r1']]);
  });

  it('skips a completed load, refuses foreign data, loads an empty table', () => {
    assert.equal(decideLoad(metadata([snap(1n, undefined, {})], { main: 1n }, { [LOAD_KEYS.completeRun]: 'r0' }), input, 't').kind, 'skip');
    const refused = decideLoad(metadata([snap(1n, undefined, {})], { main: 1n }), input, 'ns.t');
    assert.ok(refused.kind === 'refuse' && refused.message.includes('ns.t') && refused.message.includes('--reload'));
    const first = decideLoad(metadata([], {}), input, 't');
    assert.ok(first.kind === 'fresh' && !first.reload && first.expectedMain === null);
  });
});
