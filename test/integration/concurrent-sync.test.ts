/**
 * Two sync loops on one table at once, as two `floe sync` processes started from the same
 * checkpoint would run: each its own source (scripted Kafka batches), catalog handle (one
 * SQLite catalog) and key index, on one local warehouse. Whichever commits first wins; the
 * other stops with ConcurrentSyncError, never acknowledges, and the table holds the winner's
 * rows and offsets only.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlCatalog } from '../../src/catalog/sql/sql-catalog.ts';
import { SqliteDriver } from '../../src/catalog/sql/sqlite-driver.ts';
import { openTableApplier, type TableApplier } from '../../src/cdc/apply/apply-batch.ts';
import { checkpointSummary, offsetsAfter, readCheckpoint } from '../../src/cdc/apply/checkpoint.ts';
import type { Change } from '../../src/core/change.ts';
import { ConcurrentSyncError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { LocalFileIO } from '../../src/io/local-file-io.ts';
import type { Schema, TableIdentifier } from '../../src/iceberg/spec/types.ts';
import { readAllRows } from '../../src/iceberg/table/scan.ts';
import type { ChangeSource, SourceBatch, TableCheckpoint } from '../../src/pipeline/sync/change-source.ts';
import { runSync } from '../../src/pipeline/sync/sync-runner.ts';

const TOPIC = 'pg.public.t';
const ID: TableIdentifier = { namespace: ['db'], name: 't' };
const TABLES: TableCheckpoint[] = [{ target: 'db.t', source: 'public.t', lastCommitted: undefined, loadWatermark: undefined }];
const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [1],
  fields: [
    { id: 1, name: 'id', required: true, type: { type: 'long' } },
    { id: 2, name: 'v', required: false, type: { type: 'string' } },
  ],
};
const io = new LocalFileIO();
let dir: string;
const catalogs: SqlCatalog[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floe-concurrent-sync-'));
  const c = await openCatalog();
  await c.createNamespace(['db']);
  await c.createTable(ID, { schema });
});
after(async () => {
  for (const c of catalogs) await c.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function openCatalog(): Promise<SqlCatalog> {
  const c = await SqlCatalog.open({ name: 'floe', driver: new SqliteDriver(join(dir, 'catalog.db')), warehouse: `file://${join(dir, 'warehouse')}`, io });
  catalogs.push(c);
  return c;
}

/** Batches of upserts `tag:<offset>` for keys offset % 5, read from TOPIC partition 0 from `from` on. */
function batches(tag: string, from: number, sizes: number[]): SourceBatch[] {
  let offset = from;
  return sizes.map((n) => {
    const changes: Change[] = Array.from({ length: n }, () => {
      const o = offset++;
      const id = BigInt(o % 5);
      return { table: 'public.t', op: 'upsert', key: { id }, after: { id, v: `${tag}:${o}` }, before: null, unchanged: [], position: {}, origin: { topic: TOPIC, partition: 0, offset: BigInt(o) } };
    });
    return { changes, checkpoints: new Map([['db.t', checkpointSummary(offsetsAfter(changes), null)]]), ack: offset };
  });
}

/** Plays back its batches (yielding between reads, so two loops interleave), then reports nothing new. */
class ScriptedSource implements ChangeSource {
  readonly name = 'scripted';
  readonly acked: unknown[] = [];
  constructor(private readonly script: SourceBatch[]) {}
  async start(): Promise<void> {}
  async next(): Promise<SourceBatch> {
    await new Promise((r) => setTimeout(r, 5));
    return this.script.shift() ?? { changes: [], checkpoints: new Map(), ack: null };
  }
  async acknowledge(ack: unknown): Promise<void> {
    this.acked.push(ack);
  }
  async close(): Promise<void> {}
}

/** One sync process: its own catalog handle and key index; the sink is the one `floe sync` builds. */
async function syncProcess(name: string, script: SourceBatch[]): Promise<{ source: ScriptedSource; applier: TableApplier; run: () => Promise<unknown> }> {
  const applier = await openTableApplier({ catalog: await openCatalog(), io, id: ID, indexPath: join(dir, `${name}.sqlite`) });
  const source = new ScriptedSource(script);
  const sink = { apply: async (changes: readonly Change[], summary: Record<string, string>) => ({ snapshotId: (await applier.apply(changes, { summary })).snapshot?.snapshotId ?? null }) };
  const run = () =>
    runSync({ source, tables: TABLES, sinks: new Map([['db.t', sink]]), maxBatchChanges: 4, maxBatchBytes: 1 << 20, commitIntervalMs: 60_000, logger: silentLogger(), idleExitMs: 50, pollSliceMs: 5 });
  return { source, applier, run };
}

test('two sync loops started from one checkpoint: the first to commit wins, the other stops with ConcurrentSyncError before acknowledging', async () => {
  // both read the same 12 events (offsets 0..11), in batches of 4; tags tell whose rows landed
  const a = await syncProcess('a', batches('a', 0, [4, 4, 4]));
  const b = await syncProcess('b', batches('b', 0, [4, 4, 4]));
  const results = await Promise.allSettled([a.run(), b.run()]);
  await a.applier.close();
  await b.applier.close();

  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
  assert.equal(failed.length, 1, `exactly one loop stops: ${results.map((r) => r.status).join(', ')}`);
  const loser = failed[0]!;
  const reason = (results[loser] as PromiseRejectedResult).reason as unknown;
  assert.ok(reason instanceof ConcurrentSyncError, String(reason));
  assert.match(reason.message, /^table db\.t: another floe sync moved the checkpoint: the newest on main is snapshot \d+ \(floe\.commit-id [\w-]+\)/);
  const [winner, other] = loser === 0 ? [b, a] : [a, b];
  const tag = loser === 0 ? 'b' : 'a';
  assert.deepEqual(other.source.acked, [], 'the stopped loop acknowledged nothing');
  assert.deepEqual(winner.source.acked, [4, 8, 12]);

  const { metadata } = await catalogs[0]!.loadTable(ID);
  const rows = (await readAllRows(io, metadata)).map((r) => `${r.id}=${r.v}`).sort();
  assert.deepEqual(rows, [`0=${tag}:10`, `1=${tag}:11`, `2=${tag}:7`, `3=${tag}:8`, `4=${tag}:9`]);
  assert.equal(readCheckpoint(metadata)?.offsets.get(TOPIC)?.get(0), 12n);
  const syncCommits = metadata.snapshots.filter((s) => s.summary['floe.kafka.offsets'] !== undefined);
  assert.equal(syncCommits.length, 3, 'one commit per batch, all by the winner');
});
