/**
 * Schema discovery, type mapping and binary COPY decoding against a real PostgreSQL
 * (FLOE_PG_URL, set by scripts/env.sh). Every object lives in a fresh schema with a hostile
 * name, dropped at the end; values are compared exactly (µs, 38 digits, NaN, infinity).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { NotFoundError, UnsupportedTypeError } from '../../src/core/errors.ts';
import type { ColumnBatch } from '../../src/iceberg/spec/types.ts';
import { decodeCopyStream } from '../../src/sources/postgres/binary-copy-decoder.ts';
import { introspectTable } from '../../src/sources/postgres/introspector.ts';
import { DATE_MAX_DAYS, DATE_MIN_DAYS, TIMESTAMP_MAX_MICROS } from '../../src/sources/postgres/pg-codecs.ts';
import type { PgTable } from '../../src/sources/postgres/pg-table.ts';
import { copyBinarySql, qualifiedName, quoteIdent } from '../../src/sources/postgres/sql.ts';
import { columnDecoders, mapTable, type MappingOptions } from '../../src/sources/postgres/type-mapping.ts';

const url = process.env.FLOE_PG_URL;
const defaults: MappingOptions = {
  unconstrainedNumeric: { type: 'decimal', precision: 38, scale: 10 }, unknownTypes: 'error', infinity: 'clamp', numericSpecialValues: 'error',
};

if (url === undefined || url === '') {
  it('PostgreSQL introspection needs FLOE_PG_URL (run scripts/services.sh or scripts/test.sh integration)', () => {
    assert.fail('FLOE_PG_URL is not set: introspection and COPY decoding were not tested');
  });
} else {
  const S = `floe it "Schéma" ${process.pid}`; // spaces, a quote, non-ASCII
  const db = new pg.Client({ connectionString: url });
  const q = (sql: string) => db.query(sql);
  const t = (name: string) => qualifiedName(S, name);

  async function copyAll(table: PgTable, options = defaults): Promise<ColumnBatch> {
    const { columns } = mapTable(table, options);
    const stream = db.query(copyTo(copyBinarySql(table.schema, table.name, columns.map((c) => c.selectExpr))));
    const out: unknown[][] = columns.map(() => []);
    let numRows = 0;
    for await (const batch of decodeCopyStream(stream, columnDecoders(table, columns, options), `${table.schema}.${table.name}`)) {
      batch.columns.forEach((col, i) => out[i]!.push(...col));
      numRows += batch.numRows;
    }
    return { numRows, columns: out as ColumnBatch['columns'] };
  }
  const col = (table: PgTable, batch: ColumnBatch, name: string) => batch.columns[table.columns.findIndex((c) => c.name === name)]!;

  before(async () => {
    await db.connect();
    await q(`SET client_min_messages = warning`);
    await q(`CREATE EXTENSION IF NOT EXISTS citext`);
    await q(`CREATE SCHEMA ${quoteIdent(S)}`);
    await q(`SET search_path = ${quoteIdent(S)}, public`);
    await q(`CREATE TYPE "Mood" AS ENUM ('sad', 'ok', 'happy 😀')`);
    await q(`CREATE DOMAIN pos_int AS int4 NOT NULL CHECK (VALUE > 0)`);
    await q(`CREATE DOMAIN price AS numeric(10,2)`);
    await q(`CREATE TYPE pair AS (a int, b text)`);
    await q(`CREATE TABLE "select" ("user" int8, "Größe" numeric(12,3), "名前" text NOT NULL, "My ""Col""" varchar(20),
             "order" pos_int, PRIMARY KEY ("名前", "user"))`);
    await q(`CREATE TABLE "no pk table" (id int, "x y" text)`);
    await q(`INSERT INTO "no pk table" SELECT g, 'v' || g FROM generate_series(1, 1000) g`);
    await q(`ANALYZE "no pk table"`);
    await q(`CREATE TABLE "All Types" (
      id int2 PRIMARY KEY, i4 int4, i8 int8, n38 numeric(38,0), n3810 numeric(38,10), nu numeric, nneg numeric(5,-2), nsmall numeric(2,5),
      price price, f4 real, f8 double precision, f8b float8, b bool, tx text, vc varchar(5), bp char(5), nm name, ch "char",
      ci citext, mood "Mood", u uuid, d date, tm time, ttz timetz, ts timestamp, tstz timestamptz, by bytea, js json, jb jsonb,
      a_i4 int4[], a_tx text[], a_num numeric(10,2)[], a_ts tstzrange[], iv interval, ip inet, cd cidr, mac macaddr, mac8 macaddr8,
      mn money, bt bit(4), vb varbit, x xml, tsv tsvector, pt point, rg int4range)`);
    await q(`INSERT INTO "All Types" VALUES (1, 2147483647, -9223372036854775808, 12345678901234567890123456789012345678,
      -9999999999999999999999999999.9999999999, 123.456, 12300, 0.00012, 99999999.99, 'NaN', '-Infinity', 'Infinity', true,
      '名前 ✓ "q"', 'ab', 'ab', 'nm', 'z', 'MiXeD', 'happy 😀', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '1969-12-31',
      '23:59:59.999999', '12:34:56.5+02', '1900-01-01 00:00:00.000001', '2024-02-29 12:34:56.789012+00', '\\x00ff10',
      '{"b": 1,  "a": [1,2]}', '{"b": 1, "a": [1,2]}', '{1,NULL,3}', '{"a,b","",NULL}', '{1.5,-2.25}', '{"[2024-01-01,2024-01-02)"}',
      '1 year 2 mons -3 days 04:05:06.789', '192.168.0.1/24', '2001:db8::/32', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05',
      -1234.56, B'1010', B'101', '<a>1</a>', 'a fat cat', '(1,2)', '[1,5)')`);
    await q(`INSERT INTO "All Types" (id, d, ts, tstz, n3810, nu) VALUES (2, 'infinity', '-infinity', 'infinity', 0, 0),
      (3, '-infinity', '1969-12-31 23:59:59.999999', '0001-01-01 00:00:00+00', 0.0000000001, 'NaN'),
      (4, '0001-01-01 BC', '4713-11-24 00:00:00 BC', '294276-12-31 23:59:59.999999+00', 1, 'Infinity')`);
  });

  after(async () => {
    await q(`DROP SCHEMA IF EXISTS ${quoteIdent(S)} CASCADE`).catch(() => undefined);
    await db.end();
  });

  describe('introspectTable', () => {
    it('finds hostile names, composite keys in key order, domains and nullability', async () => {
      const table = await introspectTable(db, S, 'select');
      assert.equal(table.kind, 'table');
      assert.deepEqual(table.columns.map((c) => c.name), ['user', 'Größe', '名前', 'My "Col"', 'order']);
      assert.deepEqual(table.primaryKey, ['名前', 'user']);
      const [user, size, name, my, order] = table.columns;
      assert.deepEqual([user!.type.name, user!.nullable], ['int8', false]);
      assert.deepEqual(size!.numeric, { precision: 12, scale: 3 });
      assert.deepEqual([name!.type.name, name!.nullable], ['text', false]);
      assert.deepEqual([my!.declaredType, my!.nullable], ['character varying(20)', true]);
      assert.deepEqual([order!.type.name, order!.declaredType, order!.nullable], ['int4', 'pos_int', false], 'domain NOT NULL');
    });

    it('reports no key for a table without PK, and row/size estimates', async () => {
      const table = await introspectTable(db, S, 'no pk table');
      assert.deepEqual(table.primaryKey, []);
      assert.equal(table.estimatedRows, 1000);
      assert.ok(table.sizeBytes >= 8192, `size ${table.sizeBytes}`);
      assert.equal(table.replicaIdentity, 'default');
    });

    it('throws NotFoundError naming a missing table, without SQL injection', async () => {
      await assert.rejects(introspectTable(db, S, `x'; DROP TABLE "select"; --`), (err: Error) => err instanceof NotFoundError && /DROP TABLE/.test(err.message));
      await introspectTable(db, S, 'select');
    });

    it('resolves enums, arrays, domains over numeric, extension types', async () => {
      const table = await introspectTable(db, S, 'All Types');
      const c = (n: string) => table.columns.find((x) => x.name === n)!;
      assert.deepEqual([c('mood').type.kind, c('mood').type.name], ['enum', 'Mood']);
      assert.deepEqual([c('a_num').type.kind, c('a_num').type.element?.name, c('a_num').numeric], ['array', 'numeric', { precision: 10, scale: 2 }]);
      assert.deepEqual([c('price').type.name, c('price').numeric], ['numeric', { precision: 10, scale: 2 }]);
      assert.deepEqual([c('nneg').numeric, c('nsmall').numeric, c('nu').numeric], [{ precision: 5, scale: -2 }, { precision: 2, scale: 5 }, undefined]);
      assert.equal(c('ci').type.name, 'citext');
      assert.equal(c('rg').type.kind, 'range');
    });
  });

  describe('mapTable', () => {
    it('maps every type per docs/type-mapping.md', async () => {
      const table = await introspectTable(db, S, 'All Types');
      const { schema } = mapTable(table, defaults);
      const type = (n: string) => JSON.stringify(schema.fields.find((f) => f.name === n)!.type);
      const expect: Record<string, string> = {
        id: '{"type":"int"}', i8: '{"type":"long"}', n38: '{"type":"decimal","precision":38,"scale":0}',
        nu: '{"type":"decimal","precision":38,"scale":10}', nneg: '{"type":"decimal","precision":7,"scale":0}',
        nsmall: '{"type":"decimal","precision":5,"scale":5}', price: '{"type":"decimal","precision":10,"scale":2}',
        f4: '{"type":"float"}', f8: '{"type":"double"}', b: '{"type":"boolean"}', ci: '{"type":"string"}', mood: '{"type":"string"}',
        u: '{"type":"uuid"}', d: '{"type":"date"}', tm: '{"type":"time"}', ttz: '{"type":"string"}', ts: '{"type":"timestamp"}',
        tstz: '{"type":"timestamptz"}', by: '{"type":"binary"}', jb: '{"type":"string"}', iv: '{"type":"string"}', rg: '{"type":"string"}',
      };
      for (const [n, json] of Object.entries(expect)) assert.equal(type(n), json, n);
      assert.match(type('a_num'), /^\{"type":"list","elementId":\d+,"elementRequired":false,"element":\{"type":"decimal","precision":10,"scale":2\}\}$/);
      assert.deepEqual(schema.identifierFieldIds, [1]);
      assert.equal(schema.fields[0]!.required, true);
      assert.equal(schema.fields[1]!.required, false);
    });

    it('refuses an unknown type naming table and column, or loads it as text by config', async () => {
      await q(`CREATE TABLE ${t('with pair')} (id int, p pair)`);
      await q(`INSERT INTO ${t('with pair')} VALUES (1, ROW(7, 'x'))`);
      const table = await introspectTable(db, S, 'with pair');
      assert.throws(() => mapTable(table, defaults), (err: Error) => err instanceof UnsupportedTypeError && err.message.includes(`${S}.with pair.p: PostgreSQL type pair`));
      const batch = await copyAll(table, { ...defaults, unknownTypes: 'string' });
      assert.deepEqual(batch.columns[1], ['(7,x)']);
    });
  });

  describe('binary COPY through the decoder', () => {
    it('decodes every mapped type exactly', async () => {
      const table = await introspectTable(db, S, 'All Types');
      const loaded = { ...table, columns: table.columns.filter((c) => c.name !== 'nu') };
      const all = await copyAll(loaded);
      assert.equal(all.numRows, 4);
      const expected: Record<string, unknown> = {
        id: 1, i4: 2147483647, i8: -9223372036854775808n, n38: 12345678901234567890123456789012345678n,
        n3810: -99999999999999999999999999999999999999n, nneg: 12300n, nsmall: 12n, price: 9999999999n, f8b: Infinity, b: true,
        tx: '名前 ✓ "q"', vc: 'ab', bp: 'ab   ', nm: 'nm', ch: 'z', ci: 'MiXeD', mood: 'happy 😀', u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
        d: -1, tm: 86399999999n, ttz: '12:34:56.5+02', ts: -2208988799999999n, tstz: 1709210096789012n,
        js: '{"b": 1,  "a": [1,2]}', jb: '{"a": [1, 2], "b": 1}', mn: '-1234.56', bt: '1010', vb: '101', x: '<a>1</a>',
      };
      const cols = (n: string) => col(loaded, all, n);
      for (const [n, value] of Object.entries(expected)) assert.deepEqual(cols(n)[0], value, n);
      assert.ok(Number.isNaN(cols('f4')[0]));
      assert.equal(cols('f8')[0], -Infinity);
      assert.deepEqual([...(cols('by')[0] as Uint8Array)], [0, 255, 16]);
      assert.deepEqual(cols('a_i4')[0], [1, null, 3]);
      assert.deepEqual(cols('a_tx')[0], ['a,b', '', null]);
      assert.deepEqual(cols('a_num')[0], [150n, -225n]);
      // strings PostgreSQL renders itself must equal its own text output
      await q(`SET IntervalStyle = iso_8601`);
      const text = (await q(`SELECT iv::text, ip::text, cd::text, mac::text, mac8::text, tsv::text, pt::text, rg::text, a_ts::text FROM ${t('All Types')} WHERE id = 1`)).rows[0];
      await q(`RESET IntervalStyle`);
      for (const n of ['iv', 'ip', 'cd', 'mac', 'mac8', 'tsv', 'pt', 'rg']) assert.equal(cols(n)[0], text[n], n);
      assert.deepEqual(cols('a_ts')[0], ['["2024-01-01 00:00:00+00","2024-01-02 00:00:00+00")']);
      // infinity (clamp), pre-1970, BC and far-future values
      assert.deepEqual(cols('d').slice(1), [DATE_MAX_DAYS, DATE_MIN_DAYS, -719528], '-719528 = PostgreSQL\'s 0001-01-01 BC minus 1970-01-01');
      assert.deepEqual(cols('ts').slice(1), [-62135596800000000n, -1n, -210835180800000000n], 'PostgreSQL: extract(epoch from ts) * 1e6');
      assert.deepEqual(cols('tstz').slice(1), [TIMESTAMP_MAX_MICROS, -62135596800000000n, 9224318015999999999n], 'the last µs of year 294276, beyond 2^63 µs from 2000 minus the epoch shift');
      assert.deepEqual(cols('n3810').slice(1), [0n, 1n, 10000000000n]);
      assert.deepEqual(cols('i4').slice(1), [null, null, null]);
    });

    it('unconstrained numeric: checked decimal(38,10) fails on NaN naming the column; string keeps it', async () => {
      const table = await introspectTable(db, S, 'All Types');
      const only = { ...table, columns: table.columns.filter((c) => c.name === 'nu'), primaryKey: [] };
      await assert.rejects(copyAll(only), (err: Error) => err instanceof UnsupportedTypeError && err.message.includes(`${S}.All Types.nu: numeric value NaN`));
      const asText = await copyAll(only, { ...defaults, unconstrainedNumeric: { type: 'string' } });
      assert.deepEqual(asText.columns[0], ['123.456', '0', 'NaN', 'Infinity']);
      const nulls = await copyAll(only, { ...defaults, numericSpecialValues: 'null' });
      assert.deepEqual(nulls.columns[0], [1234560000000n, 0n, null, null]);
      await assert.rejects(copyAll({ ...table, columns: table.columns.filter((c) => c.name === 'd'), primaryKey: [] }, { ...defaults, infinity: 'error' }), /All Types\.d: value infinity/);
    });

    it('refuses a 2-dimensional array value naming the column', async () => {
      await q(`CREATE TABLE ${t('matrix')} (m int4[])`);
      await q(`INSERT INTO ${t('matrix')} VALUES ('{1,2}'), ('{{1,2},{3,4}}')`);
      const table = await introspectTable(db, S, 'matrix');
      await assert.rejects(copyAll(table), /matrix\.m: a 2-dimensional array value.*\(row 2 of/);
    });

    it('reads hostile names and many rows across chunk boundaries', async () => {
      await q(`INSERT INTO ${t('select')} SELECT g, g / 1000.0, 'n' || g, 'c' || g, g FROM generate_series(1, 50000) g`);
      const table = await introspectTable(db, S, 'select');
      const batch = await copyAll(table);
      assert.equal(batch.numRows, 50000);
      const users = col(table, batch, 'user') as bigint[];
      assert.equal(users.reduce((a, b) => a + b, 0n), 1250025000n);
      assert.equal(col(table, batch, 'Größe').find((_, i) => users[i] === 12345n), 12345n);
      assert.equal(col(table, batch, 'My "Col"').find((_, i) => users[i] === 7n), 'c7');
    });
  });
}
