/**
 * Idempotence and resume through the real CLI: `floe load` killed with SIGKILL after some
 * chunks committed, rows changed in the source meanwhile, then rerun: it resumes the branch
 * (keeping the first snapshot's watermark) and the result equals the source exactly, with no
 * key twice. A rerun of a completed load adds no snapshot; --reload replaces the data.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { currentSnapshot } from '../../src/iceberg/table/metadata-access.ts';
import { branchLoads, LOAD_KEYS } from '../../src/pipeline/load/load-state.ts';
import { quoteIdent } from '../../src/sources/postgres/sql.ts';
import { pyicebergScan } from '../support/pyiceberg.ts';
import { loadTestEnv, runCli, sourceName, sourceRows, startCli, withCatalog, workspace, type Workspace } from './load-support.ts';

const env = loadTestEnv();
if (env.missing !== undefined) {
  it('load integration tests need PostgreSQL and pyiceberg', () => assert.fail(env.missing));
} else {
  const S = `floe_load_resume_${process.pid}`;
  const db = new pg.Client({ connectionString: env.pgUrl });
  const id = { namespace: ['resumed'], name: 'orders' };
  let ws: Workspace;

  const metadata = () => withCatalog(ws, async (c) => (await c.tableExists(id) ? (await c.loadTable(id)).metadata : undefined));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  before(async () => {
    await db.connect();
    await db.query(`CREATE SCHEMA ${quoteIdent(S)}`);
    await db.query(`CREATE TABLE ${quoteIdent(S)}.orders (id int8 PRIMARY KEY, note text, amount numeric(12,2))`);
    await db.query(`INSERT INTO ${quoteIdent(S)}.orders SELECT g, 'n' || g, g / 4.0 FROM generate_series(1, 10000) g`);
    await db.query(`ANALYZE ${quoteIdent(S)}.orders`);
    ws = await workspace({
      sources: { pg: { type: 'postgres', url: env.pgUrl, sslmode: 'disable', poolSize: 3 } },
      tables: [{ source: sourceName(S, 'orders'), target: 'resumed.orders' }],
      load: { chunkRows: 1000, parallelism: 2 },
    });
  });

  after(async () => {
    await db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(S)} CASCADE`).catch(() => undefined);
    await db.end();
    await ws?.close();
  });

  describe('floe load: kill -9, resume, rerun, reload', () => {
    let watermark: string | undefined;

    it('a load killed with SIGKILL leaves committed chunks on its branch and main untouched', async () => {
      const { child, done } = startCli(ws, ['load', '--debug-chunk-delay-ms', '400']);
      let chunksDone = 0;
      const deadline = Date.now() + 60_000;
      while (chunksDone < 3 && Date.now() < deadline) {
        await sleep(100);
        const m = await metadata().catch(() => undefined);
        chunksDone = m === undefined ? 0 : (branchLoads(m)[0]?.done.size ?? 0);
      }
      child.kill('SIGKILL');
      const run = await done;
      assert.equal(run.signal, 'SIGKILL', `killed, not finished: ${run.stdout}`);
      const m = (await metadata())!;
      const [branch] = branchLoads(m);
      assert.ok(branch !== undefined && branch.done.size >= 3 && branch.done.size < 10, `chunks on the branch: ${branch?.done.size}`);
      assert.ok(!branch.done.has('00009'), 'the last chunk was not read before the kill');
      assert.equal(currentSnapshot(m), undefined, 'readers of main see no half-loaded table');
      watermark = m.snapshots.find((s) => s.snapshotId === branch.headSnapshotId)!.summary[LOAD_KEYS.lsn];
      assert.match(watermark!, /^[0-9A-F]+\/[0-9A-F]+$/);
    });

    it('the rerun resumes in a new snapshot and equals the source exactly', async () => {
      // Changes after the kill land in chunks not read yet (ids ≥ 9001 and new ids).
      await db.query(`UPDATE ${quoteIdent(S)}.orders SET note = 'changed' WHERE id = 9999`);
      await db.query(`INSERT INTO ${quoteIdent(S)}.orders SELECT g, 'late ' || g, 1 FROM generate_series(10001, 10100) g`);
      const run = await runCli(ws, ['load']);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /loaded\s+resumed\.orders\s+10100 rows, \d\/10 chunks read \(resumed\)/);
      const expected = await sourceRows(db, S, 'orders', await ws.config());
      const got = await pyicebergScan(ws.catalogSpec, 'resumed.orders');
      assert.equal(got.length, 10100);
      assert.equal(new Set(got.map((r) => (r as Record<string, unknown>)['id'])).size, 10100, 'no key twice');
      assert.deepEqual(got, expected);
      const m = (await metadata())!;
      const summary = currentSnapshot(m)!.summary;
      assert.equal(summary[LOAD_KEYS.lsn], watermark, 'the first snapshot stays the watermark');
      assert.notEqual(summary[LOAD_KEYS.chunkLsn], undefined);
      assert.deepEqual(Object.keys(m.refs), ['main']);
    });

    it('rerunning a completed load is a no-op: no new snapshot', async () => {
      const before = (await metadata())!;
      const run = await runCli(ws, ['load', 'resumed.orders']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /skipped\s+resumed\.orders/);
      const after = (await metadata())!;
      assert.equal(after.snapshots.length, before.snapshots.length);
      assert.equal(after.currentSnapshotId, before.currentSnapshotId);
    });

    it('--reload replaces the data in one step', async () => {
      await db.query(`DELETE FROM ${quoteIdent(S)}.orders WHERE id > 5000`);
      await db.query(`UPDATE ${quoteIdent(S)}.orders SET amount = 0 WHERE id <= 10`);
      const run = await runCli(ws, ['load', `${S}.orders`, '--reload']);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.deepEqual(await pyicebergScan(ws.catalogSpec, 'resumed.orders'), await sourceRows(db, S, 'orders', await ws.config()));
      const m = (await metadata())!;
      assert.notEqual(currentSnapshot(m)!.summary[LOAD_KEYS.lsn], watermark, 'a reload has its own watermark');
    });
  });
}
