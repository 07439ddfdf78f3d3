/**
 * One consistent snapshot per table: while every chunk is held (test hook) after importing the
 * load's exported snapshot, the source is updated, deleted from and inserted into; the loaded
 * table must equal the source as it was at the snapshot, and the snapshot recorded in the
 * summary must exclude the concurrent transaction (pg_visible_in_snapshot) with the watermark
 * LSN before its commit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { EventBus } from '../../src/core/events.ts';
import { currentSnapshot } from '../../src/iceberg/table/metadata-access.ts';
import { LOAD_KEYS } from '../../src/pipeline/load/load-state.ts';
import { quoteIdent } from '../../src/sources/postgres/sql.ts';
import { pyicebergScan } from '../support/pyiceberg.ts';
import { floeRows, loadInProcess, loadTestEnv, sourceName, sourceRows, withCatalog, workspace, type Workspace } from './load-support.ts';

const env = loadTestEnv();
if (env.missing !== undefined) {
  it('load integration tests need PostgreSQL and pyiceberg', () => assert.fail(env.missing));
} else {
  const S = `floe_load_consistency_${process.pid}`;
  const db = new pg.Client({ connectionString: env.pgUrl });
  const writer = new pg.Client({ connectionString: env.pgUrl });
  const T = `${quoteIdent(S)}."Accounts"`;
  let ws: Workspace;

  before(async () => {
    await Promise.all([db.connect(), writer.connect()]);
    await db.query(`CREATE SCHEMA ${quoteIdent(S)}`);
    await db.query(`CREATE TABLE ${T} (id int8 PRIMARY KEY, balance int4 NOT NULL, note text)`);
    await db.query(`INSERT INTO ${T} SELECT g, g, 'v' || g FROM generate_series(1, 4000) g`);
    await db.query(`ANALYZE ${T}`);
    ws = await workspace({
      sources: { pg: { type: 'postgres', url: env.pgUrl, sslmode: 'disable' } },
      tables: [{ source: sourceName(S, 'Accounts'), target: 'consistent.accounts' }],
      load: { chunkRows: 1000, parallelism: 2 },
    });
  });

  after(async () => {
    await db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(S)} CASCADE`).catch(() => undefined);
    await Promise.all([db.end(), writer.end()]);
    await ws?.close();
  });

  describe('floe load: concurrent changes do not leak into the loaded snapshot', () => {
    it('loads the rows as of the exported snapshot', async () => {
      const expected = await sourceRows(db, S, 'Accounts', await ws.config());
      const events = new EventBus();
      let concurrent: Promise<{ xid: string; lsn: string }> | undefined;
      events.on('load:table-started', () => {
        // The snapshot is exported and every chunk waits 1.5 s after importing it: change everything now.
        concurrent = (async () => {
          await writer.query('BEGIN');
          const xid = (await writer.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid')).rows[0]!.xid;
          await writer.query(`UPDATE ${T} SET balance = balance + 1000000, note = 'after'`);
          await writer.query(`DELETE FROM ${T} WHERE id % 10 = 0`);
          await writer.query(`INSERT INTO ${T} SELECT g, -1, 'new' FROM generate_series(4001, 4500) g`);
          await writer.query('COMMIT');
          const lsn = (await writer.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
          return { xid, lsn };
        })();
      });
      const result = await loadInProcess(ws, { chunkDelayMs: 1500 }, events);
      assert.deepEqual(result.outcomes.map((o) => o.status), ['loaded'], result.outcomes[0]?.error);
      assert.ok(result.outcomes[0]!.chunksTotal >= 3);
      assert.ok(concurrent !== undefined, 'the concurrent writer ran');
      const { xid, lsn } = await concurrent!;

      assert.deepEqual(await pyicebergScan(ws.catalogSpec, 'consistent.accounts'), expected);
      assert.deepEqual(await floeRows(ws, ['consistent'], 'accounts'), expected);
      assert.notDeepEqual(await sourceRows(db, S, 'Accounts', await ws.config()), expected, 'the source did change');

      const summary = await withCatalog(ws, async (c) => currentSnapshot((await c.loadTable({ namespace: ['consistent'], name: 'accounts' })).metadata)!.summary);
      const check = await db.query<{ visible: boolean; before: boolean }>(
        'SELECT pg_visible_in_snapshot($1::xid8, $2::pg_snapshot) AS visible, $3::pg_lsn < $4::pg_lsn AS before',
        [xid, summary[LOAD_KEYS.pgSnapshot], summary[LOAD_KEYS.lsn], lsn],
      );
      assert.deepEqual(check.rows[0], { visible: false, before: true });
    });
  });
}
