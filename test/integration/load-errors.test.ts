/**
 * Failures through the real CLI: a source that refuses connections (retried with backoff,
 * then reported) and one whose database does not exist, both configured with passwords that
 * must never appear on stdout, stderr or in the log file; a missing table; and a good table
 * that still loads in the same run. Exit code 1, and the summary names each failure.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { quoteIdent } from '../../src/sources/postgres/sql.ts';
import { pyicebergScan } from '../support/pyiceberg.ts';
import { loadTestEnv, runCli, sourceName, workspace, type Workspace } from './load-support.ts';

const env = loadTestEnv();
if (env.missing !== undefined) {
  it('load integration tests need PostgreSQL and pyiceberg', () => assert.fail(env.missing));
} else {
  const S = `floe_load_errors_${process.pid}`;
  const db = new pg.Client({ connectionString: env.pgUrl });
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const urlPassword = `url:${randomBytes(8).toString('hex')}@/`; // needs URL encoding
  let ws: Workspace;

  before(async () => {
    await db.connect();
    await db.query(`CREATE SCHEMA ${quoteIdent(S)}`);
    await db.query(`CREATE TABLE ${quoteIdent(S)}.good (id int4 PRIMARY KEY, v text)`);
    await db.query(`INSERT INTO ${quoteIdent(S)}.good SELECT g, 'v' || g FROM generate_series(1, 100) g`);
    const live = new URL(env.pgUrl);
    const noDb = new URL(env.pgUrl);
    noDb.password = encodeURIComponent(urlPassword);
    noDb.pathname = `/floe_no_such_db_${process.pid}`;
    ws = await workspace({
      logging: { file: 'logs/floe.log' },
      sources: {
        live: { type: 'postgres', url: env.pgUrl, sslmode: 'disable' },
        refused: { type: 'postgres', host: '127.0.0.1', port: 1, database: 'x', user: live.username || 'floe', password, sslmode: 'disable' },
        nodb: { type: 'postgres', url: noDb.toString(), sslmode: 'disable' },
      },
      tables: [
        { sourceName: 'refused', source: 'public.t1', target: 'err.refused' },
        { sourceName: 'nodb', source: 'public.t2', target: 'err.nodb' },
        { sourceName: 'live', source: sourceName(S, 'missing'), target: 'err.missing' },
        { sourceName: 'live', source: sourceName(S, 'good'), target: 'err.good' },
      ],
    });
  });

  after(async () => {
    await db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(S)} CASCADE`).catch(() => undefined);
    await db.end();
    await ws?.close();
  });

  describe('floe load: failures are contained, reported, and never leak passwords', () => {
    it('fails the broken tables, loads the good one, exits 1, prints no password', async () => {
      const run = await runCli(ws, ['load']);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stdout, /1 loaded, 0 skipped, 3 failed/);
      assert.match(run.stdout, /failed\s+err\.refused\s+postgres source refused \(127\.0\.0\.1:1\/x\): connect failed/);
      assert.match(run.stdout, /failed\s+err\.nodb\s+postgres source nodb \(.*\): connect failed: database "floe_no_such_db_\d+" does not exist/);
      assert.match(run.stdout, /failed\s+err\.missing\s+postgres table .*missing.* not found/);
      assert.match(run.stdout, /loaded\s+err\.good\s+100 rows/);
      assert.equal((await pyicebergScan(ws.catalogSpec, 'err.good')).length, 100);
      const log = await readFile(join(ws.dir, 'logs', 'floe.log'), 'utf8');
      assert.match(log, /connect failed/, 'the log file has the failure');
      const everything = [run.stdout, run.stderr, log].join('\n');
      assert.ok(everything.includes('connect failed'), 'the failure was logged');
      for (const secret of [password, urlPassword, encodeURIComponent(urlPassword)]) {
        assert.ok(!everything.includes(secret), `password ${secret} leaked`);
      }
      assert.match(run.stderr, /chunk failed: retrying|"willRetry":true|connect failed/);
    });
  });
}
