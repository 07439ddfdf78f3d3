import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Change } from '../../core/change.ts';
import { BadEventError } from '../../core/errors.ts';
import { silentLogger } from '../../core/logger.ts';
import type { ChangeSource, CheckpointSummary, SourceBatch, TableCheckpoint } from './change-source.ts';
import { runSync, type TableSink } from './sync-runner.ts';

const change = (table: string, n: number): Change => ({ table, op: 'upsert', key: { id: n }, after: { id: n }, before: null, unchanged: [], position: {} });
const TABLES: TableCheckpoint[] = [
  { target: 'ns.a', source: 's.a', lastCommitted: undefined, loadWatermark: undefined },
  { target: 'ns.b', source: 's.b', lastCommitted: undefined, loadWatermark: undefined },
];

/** A source that plays back scripted batches, then returns empty ones; logs every call. */
class ScriptedSource implements ChangeSource {
  readonly name = 'scripted';
  readonly log: string[] = [];
  constructor(private readonly script: (SourceBatch | Error)[]) {}
  async start(tables: readonly TableCheckpoint[]): Promise<void> {
    this.log.push(`start ${tables.length}`);
  }
  async next(max: number): Promise<SourceBatch> {
    const b = this.script.shift();
    if (b instanceof Error) throw b;
    if (b === undefined) {
      await new Promise((r) => setTimeout(r, 5));
      return { changes: [], checkpoints: new Map(), ack: null };
    }
    assert.ok(b.changes.length <= max, `asked for at most ${max}`);
    return b;
  }
  async acknowledge(ack: unknown): Promise<void> {
    this.log.push(`ack ${String(ack)}`);
  }
  async close(): Promise<void> {
    this.log.push('close');
  }
}

const batch = (changes: Change[], cps: Record<string, string>, ack: number, bytes = 0): SourceBatch => ({
  changes,
  checkpoints: new Map(Object.entries(cps).map(([t, o]) => [t, { 'floe.kafka.offsets': o }])),
  ack,
  bytes,
});

function sinks(log: string[]): Map<string, TableSink> {
  const sink = (name: string): TableSink => ({
    apply: async (changes: readonly Change[], summary: CheckpointSummary) => {
      log.push(`${name} ${changes.map((c) => c.key!.id).join(',')} @${summary['floe.kafka.offsets']}`);
      return { snapshotId: 1n };
    },
  });
  return new Map([['ns.a', sink('a')], ['ns.b', sink('b')]]);
}

const base = { tables: TABLES, maxBatchChanges: 100, maxBatchBytes: 1 << 20, commitIntervalMs: 60_000, logger: silentLogger(), idleExitMs: 30, pollSliceMs: 5 };

test('one commit per table per batch, in source order, with the latest checkpoint; ack after the commits', async () => {
  const source = new ScriptedSource([
    batch([change('s.a', 1), change('s.b', 2), change('s.a', 3)], { 'ns.a': 'a1', 'ns.b': 'b1' }, 1),
    batch([change('s.a', 4)], { 'ns.a': 'a2' }, 2),
  ]);
  const log: string[] = [];
  const out = await runSync({ ...base, source, sinks: sinks(log), maxBatchChanges: 4 });
  assert.deepEqual(log, ['a 1,3,4 @a2', 'b 2 @b1']);
  assert.deepEqual(source.log, ['start 2', 'ack 2', 'close']);
  assert.deepEqual(out, { reason: 'idle', batches: 1, changes: 4 });
});

test('a batch closes at maxBatchChanges and at maxBatchBytes', async () => {
  const byCount = new ScriptedSource([batch([change('s.a', 1), change('s.a', 2)], { 'ns.a': 'x' }, 1), batch([change('s.a', 3)], { 'ns.a': 'y' }, 2)]);
  const log: string[] = [];
  await runSync({ ...base, source: byCount, sinks: sinks(log), maxBatchChanges: 2 });
  assert.deepEqual(log, ['a 1,2 @x', 'a 3 @y']);
  const byBytes = new ScriptedSource([batch([change('s.a', 1)], { 'ns.a': 'x' }, 1, 600), batch([change('s.a', 2)], { 'ns.a': 'y' }, 2, 600)]);
  const log2: string[] = [];
  await runSync({ ...base, source: byBytes, sinks: sinks(log2), maxBatchBytes: 1000 });
  assert.deepEqual(log2, ['a 1,2 @y'], 'the bound is checked after each read');
  const log3: string[] = [];
  await runSync({ ...base, source: new ScriptedSource([batch([change('s.a', 1)], { 'ns.a': 'x' }, 1, 1000), batch([change('s.a', 2)], { 'ns.a': 'y' }, 2)]), sinks: sinks(log3), maxBatchBytes: 1000 });
  assert.deepEqual(log3, ['a 1 @x', 'a 2 @y']);
});

test('the commit interval closes a batch', async () => {
  let t = 0;
  const source = new ScriptedSource([batch([change('s.a', 1)], { 'ns.a': 'x' }, 1), batch([change('s.a', 2)], { 'ns.a': 'y' }, 2)]);
  const log: string[] = [];
  await runSync({ ...base, source, sinks: sinks(log), commitIntervalMs: 10, now: () => (t += 6) });
  assert.deepEqual(log, ['a 1,2 @y']);
  const slow = new ScriptedSource([batch([change('s.a', 1)], { 'ns.a': 'x' }, 1), batch([change('s.a', 2)], { 'ns.a': 'y' }, 2)]);
  const log2: string[] = [];
  let u = 0;
  await runSync({ ...base, source: slow, sinks: sinks(log2), commitIntervalMs: 10, now: () => (u += 11) });
  assert.deepEqual(log2, ['a 1 @x', 'a 2 @y']);
});

test('a failing read commits what was gathered, then fails; nothing is acknowledged past it', async () => {
  const source = new ScriptedSource([batch([change('s.a', 1)], { 'ns.a': 'x' }, 1), new BadEventError('bad event at topic t partition 0 offset 7')]);
  const log: string[] = [];
  await assert.rejects(runSync({ ...base, source, sinks: sinks(log) }), /offset 7/);
  assert.deepEqual(log, ['a 1 @x']);
  assert.deepEqual(source.log, ['start 2', 'ack 1', 'close']);
});

test('a failing commit acknowledges nothing and closes the source', async () => {
  const source = new ScriptedSource([batch([change('s.a', 1)], { 'ns.a': 'x' }, 1)]);
  const failing = new Map<string, TableSink>([['ns.a', { apply: () => Promise.reject(new Error('disk full')) }]]);
  await assert.rejects(runSync({ ...base, source, sinks: failing }), /disk full/);
  assert.deepEqual(source.log, ['start 2', 'close']);
});

test('an abort commits the batch being gathered and returns', async () => {
  const stop = new AbortController();
  const source = new ScriptedSource([batch([change('s.b', 1)], { 'ns.b': 'x' }, 1)]);
  const log: string[] = [];
  const out = await runSync({ ...base, idleExitMs: undefined, source, sinks: sinks(log), signal: stop.signal, onBatch: () => stop.abort(), commitIntervalMs: 20 });
  assert.equal(out.reason, 'signal');
  assert.deepEqual(log, ['b 1 @x']);
  const aborted = new AbortController();
  aborted.abort();
  const log2: string[] = [];
  const out2 = await runSync({ ...base, idleExitMs: undefined, source: new ScriptedSource([batch([change('s.a', 5)], { 'ns.a': 'z' }, 1)]), sinks: sinks(log2), signal: aborted.signal });
  assert.deepEqual([out2.reason, log2], ['signal', ['a 5 @z']]);
});

test('checkpoints without changes move nothing; stopWhen ends the loop', async () => {
  const source = new ScriptedSource([batch([], { 'ns.a': 'tombstones only' }, 1)]);
  const log: string[] = [];
  const out = await runSync({ ...base, idleExitMs: undefined, source, sinks: sinks(log), stopWhen: () => source.log.length > 0 && log.length === 0 });
  assert.equal(out.reason, 'stopped');
  assert.deepEqual(log, []);
});

test('the next batch is gathered while one commits; commits and acks stay in order', async () => {
  const source = new ScriptedSource([
    batch([change('s.a', 1)], { 'ns.a': 'x' }, 1),
    batch([change('s.a', 2)], { 'ns.a': 'y' }, 2),
    batch([change('s.a', 3)], { 'ns.a': 'z' }, 3),
  ]);
  const log: string[] = [];
  let readsDuringFirstCommit = -1;
  const slow = new Map<string, TableSink>([
    [
      'ns.a',
      {
        apply: async (changes, summary) => {
          if (readsDuringFirstCommit < 0) {
            const before = source.log.length;
            await new Promise((r) => setTimeout(r, 40));
            readsDuringFirstCommit = 3 - (source as unknown as { script: unknown[] }).script.length;
            assert.equal(source.log.length, before, 'nothing acknowledged while the first batch commits');
          }
          log.push(`a ${changes.map((c) => c.key!.id).join(',')} @${summary['floe.kafka.offsets']}`);
          return { snapshotId: 1n };
        },
      },
    ],
  ]);
  await runSync({ ...base, source, sinks: slow, maxBatchChanges: 1 });
  assert.ok(readsDuringFirstCommit >= 2, `batch 2 was read while batch 1 committed (${readsDuringFirstCommit} reads)`);
  assert.deepEqual(log, ['a 1 @x', 'a 2 @y', 'a 3 @z']);
  assert.deepEqual(source.log, ['start 2', 'ack 1', 'ack 2', 'ack 3', 'close']);
});

test('a failing commit stops the loop before the batch gathered behind it is committed or acknowledged', async () => {
  const source = new ScriptedSource([batch([change('s.a', 1)], { 'ns.a': 'x' }, 1), batch([change('s.a', 2)], { 'ns.a': 'y' }, 2)]);
  const applied: string[] = [];
  const failing = new Map<string, TableSink>([
    [
      'ns.a',
      {
        apply: async (_changes, summary) => {
          applied.push(summary['floe.kafka.offsets']!);
          await new Promise((r) => setTimeout(r, 20));
          throw new Error('catalog unreachable');
        },
      },
    ],
  ]);
  await assert.rejects(runSync({ ...base, source, sinks: failing, maxBatchChanges: 1 }), /catalog unreachable/);
  assert.deepEqual(applied, ['x']);
  assert.deepEqual(source.log, ['start 2', 'close']);
});
