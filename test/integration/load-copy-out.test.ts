/**
 * CopyOutQuery (floe's own COPY OUT reader) against the real PostgreSQL: payload bytes equal to
 * what pg-copy-streams hands out, PostgreSQL's row count, an error before and in the middle of
 * the data, and a consumer that stops early: the client must never hang, and stays usable
 * whenever the server ended the COPY itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { CopyOutQuery } from '../../src/sources/postgres/copy-out-query.ts';
import { loadTestEnv } from './load-support.ts';

const env = loadTestEnv();
if (env.missing !== undefined) {
  it('COPY OUT tests need PostgreSQL', () => assert.fail(env.missing));
} else {
  const ROWS = 200_000;
  const SQL = `COPY (SELECT g::int8, repeat('x', g % 300), g / 7.0 FROM generate_series(1, ${ROWS}) g) TO STDOUT (FORMAT binary)`;
  let db: pg.Client;
  const connect = async () => {
    const c = new pg.Client({ connectionString: env.pgUrl });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  };

  before(async () => {
    db = await connect();
  });
  after(async () => {
    await db.end();
  });

  describe('CopyOutQuery', () => {
    it('hands out the same payload bytes as pg-copy-streams and reports PostgreSQL’s row count', async () => {
      const ours: Buffer[] = [];
      const copy = db.query(new CopyOutQuery(SQL, 'test copy'));
      for await (const b of copy) ours.push(Buffer.from(b));
      assert.equal(copy.rowCount, ROWS);
      const theirs: Buffer[] = [];
      for await (const b of db.query(copyTo(SQL)) as AsyncIterable<Buffer>) theirs.push(b);
      assert.ok(ours.length > 10, `${ours.length} slices`);
      assert.deepEqual(Buffer.concat(ours), Buffer.concat(theirs));
      assert.equal((await db.query('SELECT 1 AS one')).rows[0].one, 1, 'client usable after');
    });

    it('rejects with PostgreSQL’s error before any data, and the client stays usable', async () => {
      const copy = db.query(new CopyOutQuery('COPY (SELECT * FROM floe_no_such_table) TO STDOUT (FORMAT binary)', 't'));
      await assert.rejects(async () => {
        for await (const _ of copy) void _;
      }, (e: Error & { code?: string }) => e.code === '42P01');
      assert.equal((await db.query('SELECT 2 AS two')).rows[0].two, 2);
    });

    it('rejects with an error raised after data was sent, and the client stays usable', async () => {
      const copy = db.query(new CopyOutQuery(`COPY (SELECT 1 / (${ROWS / 2} - g) FROM generate_series(1, ${ROWS}) g) TO STDOUT (FORMAT binary)`, 't'));
      let bytes = 0;
      await assert.rejects(async () => {
        for await (const b of copy) bytes += b.length;
      }, (e: Error & { code?: string }) => e.code === '22012');
      assert.ok(bytes > 0, 'some rows arrived before the division by zero');
      assert.equal((await db.query('SELECT 3 AS three')).rows[0].three, 3);
    });

    it('a consumer that stops early closes the connection, so later queries fail instead of hanging', async () => {
      const c = await connect();
      try {
        const copy = c.query(new CopyOutQuery(SQL, 't'));
        for await (const _ of copy) break;
        await assert.rejects(c.query('SELECT 1'), /Connection terminated|not queryable/);
      } finally {
        await c.end().catch(() => undefined);
      }
    });
  });
}
