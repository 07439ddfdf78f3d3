/**
 * floe load end to end on a real PostgreSQL, read back by pyiceberg and by floe's scan: every
 * mapped type with edge values, a composite key over hostile names (split by a key sample),
 * a table without primary key (split by ctid), and a misconfigured table that fails alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { currentSchema, currentSnapshot } from '../../src/iceberg/table/metadata-access.ts';
import { LOAD_KEYS } from '../../src/pipeline/load/load-state.ts';
import type { LoadRunResult } from '../../src/pipeline/load/run-load.ts';
import { quoteIdent } from '../../src/sources/postgres/sql.ts';
import { pyicebergScan } from '../support/pyiceberg.ts';
import { floeRows, loadInProcess, loadTestEnv, sourceName, sourceRows, withCatalog, workspace, type Workspace } from './load-support.ts';

const env = loadTestEnv();
if (env.missing !== undefined) {
  it('load integration tests need PostgreSQL and pyiceberg', () => assert.fail(env.missing));
} else {
  const S = `floe load "Schéma" ${process.pid}`; // a space, a quote, non-ASCII
  const db = new pg.Client({ connectionString: env.pgUrl });
  const q = (sql: string) => db.query(sql);
  let ws: Workspace;
  let result: LoadRunResult;

  before(async () => {
    await db.connect();
    await q(`SET client_min_messages = warning`);
    await q(`CREATE EXTENSION IF NOT EXISTS citext`);
    await q(`CREATE SCHEMA ${quoteIdent(S)}`);
    await q(`SET search_path = ${quoteIdent(S)}, public`);
    await q(`CREATE TYPE "Mood" AS ENUM ('sad', 'ok', 'happy 😀')`);
    await q(`CREATE TABLE "All Types" (
      id int2 PRIMARY KEY, i4 int4, i8 int8, n38 numeric(38,0), n3810 numeric(38,10), nu numeric, nneg numeric(5,-2), nsmall numeric(2,5),
      f4 real, f8 double precision, f8b float8, b bool, tx text, vc varchar(5), bp char(5), ch "char", ci citext, mood "Mood", u uuid,
      d date, tm time, ttz timetz, ts timestamp, tstz timestamptz, by bytea, js json, jb jsonb, a_i4 int4[], a_tx text[], a_num numeric(10,2)[],
      iv interval, ip inet, mac macaddr, mn money, bt bit(4), rg int4range)`);
    await q(`INSERT INTO "All Types" VALUES (1, 2147483647, -9223372036854775808, 12345678901234567890123456789012345678,
      -9999999999999999999999999999.9999999999, 123.456, 12300, 0.00012, 'NaN', '-Infinity', 'Infinity', true,
      '名前 ✓ "q"', 'ab', 'ab', 'z', 'MiXeD', 'happy 😀', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '1969-12-31',
      '23:59:59.999999', '12:34:56.5+02', '1900-01-01 00:00:00.000001', '2024-02-29 12:34:56.789012+00', '\\x00ff10',
      '{"b": 1,  "a": [1,2]}', '{"b": 1, "a": [1,2]}', '{1,NULL,3}', '{"a,b","",NULL}', '{1.5,-2.25}',
      '1 year 2 mons -3 days 04:05:06.789', '192.168.0.1/24', '08:00:2b:01:02:03', -1234.56, B'1010', '[1,5)')`);
    await q(`INSERT INTO "All Types" (id, d, ts, tstz, n3810, nu, f4) VALUES (2, 'infinity', '-infinity', 'infinity', 0, 0, '-0'),
      (3, '-infinity', '1969-12-31 23:59:59.999999', '0001-01-01 00:00:00+00', 0.0000000001, -0.5, 1.17549435e-38),
      (4, NULL, NULL, NULL, NULL, NULL, NULL)`);
    await q(`CREATE TABLE "select" ("user" int8, "Größe" numeric(12,3), "名前" text NOT NULL, "My ""Col""" varchar(20), "order" int4,
             PRIMARY KEY ("名前", "user"))`);
    await q(`INSERT INTO "select" SELECT g % 7, g / 3.0, 'k ''' || (g % 500) || ' ü', CASE WHEN g % 9 = 0 THEN NULL ELSE 'c' || g END, g
             FROM generate_series(1, 5000) g ON CONFLICT DO NOTHING`);
    await q(`CREATE TABLE "no pk table" (id int, "x y" text)`);
    await q(`INSERT INTO "no pk table" SELECT g % 10, repeat('v', g % 50) FROM generate_series(1, 6000) g`); // duplicates: no key
    await q(`ANALYZE "select"`);
    await q(`ANALYZE "no pk table"`);
    ws = await workspace({
      sources: { pg: { type: 'postgres', url: env.pgUrl, sslmode: 'disable' } },
      tables: [
        { source: sourceName(S, 'All Types'), priority: 1 },
        { source: sourceName(S, 'select') },
        { source: sourceName(S, 'no pk table') },
        { source: sourceName(S, 'no pk table'), target: 'misconfigured.t', columns: { exclude: ['nope'] } },
      ],
      load: { chunkRows: 1000, parallelism: 2 },
    });
    result = await loadInProcess(ws);
  });

  after(async () => {
    await q(`DROP SCHEMA IF EXISTS ${quoteIdent(S)} CASCADE`).catch(() => undefined);
    await db.end();
    await ws?.close();
  });

  const status = (table: string) => result.outcomes.find((o) => o.table === table);

  describe('floe load: types, keys, names', () => {
    it('loads the good tables and fails only the misconfigured one, naming table and column', () => {
      assert.deepEqual(result.outcomes.map((o) => [o.table, o.status]), [
        [`${S}.All Types`, 'loaded'], [`${S}.select`, 'loaded'], [`${S}.no pk table`, 'loaded'], ['misconfigured.t', 'failed'],
      ]);
      assert.match(status('misconfigured.t')!.error!, /no pk table: columns\.exclude names column "nope"/);
    });

    for (const name of ['All Types', 'select', 'no pk table']) {
      it(`${name}: pyiceberg and floe's scan read exactly the source rows`, async () => {
        const expected = await sourceRows(db, S, name, await ws.config());
        assert.ok(expected.length > 0);
        assert.deepEqual(await pyicebergScan(ws.catalogSpec, `${S}.${name}`), expected);
        assert.deepEqual(await floeRows(ws, [S], name), expected);
      });
    }

    it('keeps edge values exactly (38 digits, µs, NaN, −0, infinity clamped, unicode)', async () => {
      const rows = await pyicebergScan(ws.catalogSpec, `${S}.All Types`);
      const byId = new Map(rows.map((r) => [(r as Record<string, unknown>)['id'], r as Record<string, unknown>]));
      const r1 = byId.get('1')!;
      assert.equal(r1['n38'], '12345678901234567890123456789012345678');
      assert.equal(r1['n3810'], '-9999999999999999999999999999.9999999999');
      assert.equal(r1['i8'], '-9223372036854775808');
      assert.equal(r1['tstz'], '1709210096789012');
      assert.equal(r1['ts'], '-2208988799999999');
      assert.equal(r1['f4'], 'nan');
      assert.equal(r1['tx'], '名前 ✓ "q"');
      assert.equal(r1['mood'], 'happy 😀');
      assert.equal(r1['u'], 'a0eebc999c0b4ef8bb6d6bb9bd380a11');
      assert.deepEqual(r1['a_tx'], ['a,b', '', null]);
      assert.equal(byId.get('2')!['d'], '2932896', 'date infinity clamps to 9999-12-31');
      assert.equal(byId.get('2')!['f4'], 'f64:8000000000000000', '-0 kept');
      assert.equal(byId.get('4')!['tstz'], null);
    });

    it('splits the composite key by sample and the keyless table by ctid', async () => {
      // exactly ceil(reltuples / chunkRows) chunks: a key sample with fewer keys than chunks is
      // taken again (a small table's block sample used to miss every block now and then: 1 chunk)
      const expected = async (table: string) => {
        const { rows } = await db.query<{ n: number }>(`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = $1::regclass`, [`${quoteIdent(S)}.${quoteIdent(table)}`]);
        return Math.ceil(rows[0]!.n / 1000);
      };
      assert.equal(await expected('select'), 4, '3500 distinct keys after ON CONFLICT');
      assert.equal(await expected('no pk table'), 6);
      assert.equal(status(`${S}.select`)!.chunksTotal, 4);
      assert.equal(status(`${S}.no pk table`)!.chunksTotal, 6);
      assert.equal(status(`${S}.All Types`)!.chunksTotal, 1);
    });

    it('marks keys and keylessness, sets identifier fields and the watermark', async () => {
      await withCatalog(ws, async (catalog) => {
        const sel = await catalog.loadTable({ namespace: [S], name: 'select' });
        assert.equal(sel.metadata.properties[LOAD_KEYS.primaryKey], JSON.stringify(['名前', 'user']));
        const schema = currentSchema(sel.metadata);
        assert.deepEqual(schema.identifierFieldIds.map((id) => schema.fields.find((f) => f.id === id)!.name), ['名前', 'user']);
        const nopk = await catalog.loadTable({ namespace: [S], name: 'no pk table' });
        assert.equal(nopk.metadata.properties[LOAD_KEYS.primaryKey], '[]');
        assert.deepEqual(currentSchema(nopk.metadata).identifierFieldIds, []);
        const summary = currentSnapshot(sel.metadata)!.summary;
        assert.match(summary[LOAD_KEYS.lsn]!, /^[0-9A-F]+\/[0-9A-F]+$/);
        assert.match(summary[LOAD_KEYS.pgSnapshot]!, /^\d+:\d+:[\d,]*$/);
        assert.equal(sel.metadata.properties[LOAD_KEYS.completeRun], result.runId);
        assert.deepEqual(Object.keys(sel.metadata.refs), ['main'], 'the load branch is gone after publishing');
      });
    });
  });
}
