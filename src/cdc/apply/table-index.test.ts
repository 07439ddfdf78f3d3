import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Change } from '../../core/change.ts';
import { readAllRows } from '../../iceberg/table/scan.ts';
import { appendRows } from '../../iceberg/table/table-writer.ts';
import { openTableApplier } from './apply-batch.ts';
import { assertIndexMatches, del, setupTable, truncate, up } from './apply-test-support.ts';
import { seededRandom as rng } from '../../../test/support/seeded-random.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floe-table-index-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A random batch over keys 0..39 (upserts, deletes, a key deleted and reinserted, rarely a truncate), applied to `model`. */
function randomBatch(rand: () => number, model: Map<bigint, string>, b: number): Change[] {
  const out: Change[] = [];
  for (let i = 0; i < 1 + Math.floor(rand() * 30); i += 1) {
    const k = BigInt(Math.floor(rand() * 40));
    const r = rand();
    if (r < 0.03) {
      model.clear();
      out.push(truncate);
    } else if (r < 0.3) {
      model.delete(k);
      out.push(del(k));
    } else if (r < 0.4) {
      model.set(k, `re${b}`);
      out.push(del(k), up(k, `re${b}`));
    } else {
      model.set(k, `v${b}.${i}`);
      out.push(up(k, `v${b}.${i}`));
    }
  }
  return out;
}

const rowsOf = async (t: Awaited<ReturnType<typeof setupTable>>): Promise<string[]> =>
  (await readAllRows(t.io, (await t.catalog.loadTable(t.id)).metadata)).map((r) => `${r.id}=${r.v}`).sort();
const modelRows = (model: Map<bigint, string>): string[] => [...model].map(([k, v]) => `${k}=${v}`).sort();

test('an index left behind by several commits whose updates never persisted is caught up at the next open', async () => {
  const t = await setupTable(dir, 'lagging');
  let applier = await openTableApplier(t);
  await applier.apply([up(1n, 'a'), up(2n, 'b'), up(3n, 'c'), up(4n, 'd')]);
  await applier.close();
  const behind = join(dir, 'lagging-behind.sqlite');
  await copyFile(t.indexPath, behind); // the index as it was after commit 1 (close checkpointed the WAL)
  applier = await openTableApplier(t);
  await applier.apply([up(2n, 'B'), del(3n)]);
  await applier.apply([up(5n, 'e'), up(1n, 'A')]);
  await applier.apply([del(5n), up(6n, 'f'), up(2n, 'BB')]);
  await applier.close();
  // a second applier on the index that never learned of commits 2..4
  applier = await openTableApplier({ ...t, indexPath: behind });
  assert.deepEqual(applier.opened.mode === 'caught-up' && applier.opened.snapshots, 3);
  assert.equal(applier.warmed.complete, true);
  await applier.apply([up(2n, 'X'), del(6n), up(1n, 'Y'), up(3n, 'back')]);
  await applier.close();
  assert.deepEqual(await rowsOf(t), ['1=Y', '2=X', '3=back', '4=d']);
  await assertIndexMatches(t.io, (await t.catalog.loadTable(t.id)).metadata, behind);
});

test('the cache is warmed at open: a complete cache answers every lookup, a truncate keeps it complete', async () => {
  const t = await setupTable(dir, 'warm');
  let applier = await openTableApplier(t);
  await applier.apply(Array.from({ length: 50 }, (_, i) => up(BigInt(i), 'a')));
  await applier.close();
  applier = await openTableApplier(t);
  assert.deepEqual({ entries: applier.warmed.entries, complete: applier.warmed.complete }, { entries: 50, complete: true });
  await applier.apply([up(3n, 'b'), del(4n), up(100n, 'new')]); // hits and a key the complete cache knows is absent
  await applier.apply([truncate, up(7n, 'c')]);
  await applier.apply([up(7n, 'd'), up(8n, 'e'), del(9n)]);
  assert.deepEqual(applier.lookups, { cached: 6, asked: 0 });
  await applier.close();
  assert.deepEqual(await rowsOf(t), ['7=d', '8=e']);
  await assertIndexMatches(t.io, (await t.catalog.loadTable(t.id)).metadata, t.indexPath);
});

test('a cache far smaller than the table (evicting all the time) gives the same table and index as the model', async () => {
  const t = await setupTable(dir, 'tiny');
  const rand = rng(42);
  const model = new Map<bigint, string>();
  let applier = await openTableApplier({ ...t, cacheEntries: 5 });
  for (let b = 0; b < 30; b += 1) {
    await applier.apply(randomBatch(rand, model, b));
    if (b === 15) {
      await applier.close();
      applier = await openTableApplier({ ...t, cacheEntries: 5 });
      assert.equal(applier.warmed.complete, model.size <= 5);
    }
    assert.deepEqual(await rowsOf(t), modelRows(model), `batch ${b}`);
  }
  assert.ok(applier.lookups.asked > 0 && applier.lookups.cached > 0, JSON.stringify(applier.lookups));
  await applier.close();
  await assertIndexMatches(t.io, (await t.catalog.loadTable(t.id)).metadata, t.indexPath);
});

test('backpressure: with a tiny unpersisted limit every apply waits for the index thread, and results are the same', async () => {
  const t = await setupTable(dir, 'pressure');
  const rand = rng(7);
  const model = new Map<bigint, string>();
  const applier = await openTableApplier({ ...t, maxPendingIndexEntries: 0, cacheEntries: 10 });
  for (let b = 0; b < 10; b += 1) await applier.apply(randomBatch(rand, model, b));
  await applier.close();
  assert.deepEqual(await rowsOf(t), modelRows(model));
  await assertIndexMatches(t.io, (await t.catalog.loadTable(t.id)).metadata, t.indexPath);
});

test('the same applier after a commit its index never heard of (hook failed, another writer): the complete cache learns it by catch-up', async () => {
  const t = await setupTable(dir, 'same-applier');
  const applier = await openTableApplier(t);
  await applier.apply([up(1n, 'a'), up(2n, 'b'), up(3n, 'c')]);
  await assert.rejects(applier.apply([up(4n, 'd'), del(2n)], { beforeIndexUpdate: () => Promise.reject(new Error('hook failed')) }), /hook failed/);
  await appendRows(t.catalog, t.io, t.id, [{ id: 5n, v: 'theirs' }]);
  // 4 and 5 exist only in commits the cache did not record: a complete cache that missed them would insert duplicates
  await applier.apply([up(4n, 'D'), up(5n, 'E'), up(2n, 'B')]);
  assert.equal(applier.lookups.asked, 0, 'still answered by the cache alone');
  await applier.close();
  assert.deepEqual(await rowsOf(t), ['1=a', '2=B', '3=c', '4=D', '5=E']);
  await assertIndexMatches(t.io, (await t.catalog.loadTable(t.id)).metadata, t.indexPath);
});
