/**
 * The PostgreSQL logical replication source on its own, against a real PostgreSQL: values equal
 * what `floe load` decodes for the same rows (every mapped type and edge value), transaction
 * grouping and positions, the load-snapshot filter (a transaction open across the snapshot is
 * streamed, one the snapshot saw is not), TOAST unchanged columns, truncate, large
 * transactions in pieces, and the slot confirmed only up to acknowledged batches.
 */
import { formatLsn } from '../../src/core/lsn.ts';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import type { Change } from '../../src/core/change.ts';
import { createSlotWithSnapshot, ensurePublication } from '../../src/cdc/postgres/slot-admin.ts';
import { pgLogicalSettings } from '../../src/cdc/postgres/pg-logical-settings.ts';
import type { PgLogicalChangeSource } from '../../src/cdc/postgres/pg-logical-change-source.ts';
import { exportSnapshot, releaseSnapshot } from '../../src/sources/postgres/snapshot.ts';
import { confirmedFlush, loadRows, pgFixture, startSource, type PgFixture } from './pg-logical-helpers.ts';

let fx: PgFixture;
before(async () => {
  fx = await pgFixture('pglsrc');
});
after(async () => {
  await fx.cleanup();
});

const TYPES_DDL = (s: string) => `
CREATE TYPE "${s}".mood AS ENUM ('sad', 'ok');
CREATE TABLE "${s}".types (
  id int8 PRIMARY KEY, b bool, i2 int2, i4 int4, f4 float4, f8 float8, n numeric(20,6), nu numeric, t text, vc varchar(5), bp char(4),
  ch "char", u uuid, d date, tm time, ttz timetz, ts timestamp, tstz timestamptz, by bytea, j json, jb jsonb, iv interval,
  ip inet, cidr cidr, mac macaddr, m money, bits varbit, ia int4[], ta text[], tsa timestamptz[], e "${s}".mood, pt point, rg int4range, bx box[]
)`;

const ROWS = `
(1, true, -32768, 2147483647, 0.1, -0.0, 12345678901234.123456, 1.5, 'héllo "q" \\ back', 'abc', 'ab', 'x', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
 '4713-01-01 BC', '24:00:00', '23:59:59.999999-14:30', '294276-12-31 23:59:59.999999', '1970-01-01 00:00:00.000001+05', '\\x00ff10',
 '{"b": 1,  "a": [1, 2]}', '{"b": 1, "a": [1, 2]}', '1 year 2 months -3 days 04:05:06.789', '2001:db8::1/64', '10.0.0.0/8', '08:00:2b:01:02:03',
 -1234.56, B'0101', '{1,NULL,3}', '{"a b",NULL,"x\\"y",""}', '{"2024-02-29 12:00:00.5+00",NULL}', 'ok', '(1.5,2)', '[1,5)', '{(1,1),(0,0);(3,3),(2,2)}'),
(2, NULL, NULL, NULL, 'NaN', '-Infinity', -0.000001, NULL, '', NULL, NULL, NULL, NULL, 'infinity', '00:00:00', NULL, '-infinity', 'infinity',
 '\\x', 'null', '[]', '-1 mons', NULL, NULL, NULL, 0, B'', '{}', '{}', '{}', NULL, NULL, 'empty', '{}'),
(3, false, 1, 1, 'Infinity', 1e308, 99999999999999.999999, 12345678901234567890123456.0123456789, repeat('z', 3), 'vvvvv', 'abcd', 'y', '00000000-0000-0000-0000-000000000000',
 '2000-02-29', '12:34:56.5', '00:00:00+00', '1900-01-01 00:00:00', '0044-03-15 12:00:00.5 BC', '\\xdeadbeef', '{}', '{"k": "\\u00e9"}', '00:00:00', '::ffff:1.2.3.4', '::/0', 'ff:ff:ff:ff:ff:ff',
 92233720368547758.07, B'1', '{-1}', '{NULL}', '{"0001-01-01 00:00:00+00"}', 'sad', '(0,0)', '(,)', NULL)`;

async function drain(source: PgLogicalChangeSource, want: number, maxChanges = 10_000, ack = true): Promise<{ changes: Change[]; batches: number }> {
  const changes: Change[] = [];
  let batches = 0;
  for (let i = 0; i < 200 && changes.length < want; i++) {
    const b = await source.next(maxChanges, 200);
    if (b.changes.length > 0) batches++;
    changes.push(...b.changes);
    if (ack) await source.acknowledge(b.ack);
  }
  return { changes, batches };
}

test('values equal the load decoding for every mapped type, inserts/updates/deletes/truncate in order', async () => {
  await fx.db.query(TYPES_DDL(fx.schema));
  const config = await fx.config(['types']);
  await ensurePublication(fx.db, fx.slot, [{ schema: fx.schema, table: 'types' }]);
  const slot = await createSlotWithSnapshot(pgLogicalSettings(config).connect, fx.slot);
  const watermark = { 'floe.source.lsn': slot.snapshot.lsn, 'floe.source.pg-snapshot': slot.snapshot.pgSnapshot };
  await slot.release();
  const source = await startSource(config, watermark);
  try {
    await fx.db.query(`INSERT INTO "${fx.schema}".types VALUES ${ROWS}`);
    const expected = await loadRows(fx.db, config, fx.schema, 'types');
    await fx.db.query(`UPDATE "${fx.schema}".types SET t = 'changed', id = 30 WHERE id = 3`);
    await fx.db.query(`DELETE FROM "${fx.schema}".types WHERE id = 2`);
    await fx.db.query(`TRUNCATE "${fx.schema}".types`);
    const { changes } = await drain(source, 6);
    assert.equal(changes.length, 6);
    const inserts = changes.slice(0, 3);
    assert.equal(new Set(inserts.map((c) => c.position.commitLsn)).size, 1, 'one transaction, one commit LSN');
    for (const c of inserts) {
      assert.equal(c.op, 'upsert');
      const want = expected.find((r) => r['id'] === c.after!['id'])!;
      assert.deepEqual(c.after, want, `row ${String(c.after!['id'])} equals the load's decoding`);
      assert.deepEqual(c.key, { id: want['id'] });
    }
    const [upd, del, trunc] = changes.slice(3);
    assert.deepEqual([upd!.op, upd!.key, upd!.after!['id'], upd!.after!['t']], ['upsert', { id: 3n }, 30n, 'changed']);
    assert.deepEqual([del!.op, del!.key, del!.after], ['delete', { id: 2n }, null]);
    assert.equal(trunc!.op, 'truncate');
    assert.ok(upd!.position.commitLsn! < del!.position.commitLsn! && del!.position.commitLsn! < trunc!.position.commitLsn!);
    assert.ok(typeof upd!.commitTimeMs === 'number' && Math.abs(upd!.commitTimeMs - Date.now()) < 60_000);
  } finally {
    await source.close();
  }
});

test('load snapshot filter, TOAST unchanged, large transactions in pieces, confirm never ahead of acknowledgements', async () => {
  const s = fx.schema;
  await fx.db.query(`CREATE TABLE "${s}".big (id int4 PRIMARY KEY, note text, doc text)`);
  await fx.db.query(`ALTER TABLE "${s}".big ALTER doc SET STORAGE EXTERNAL`); // out of line, uncompressed: TOASTed for sure
  const config = await fx.config(['big'], { maxBufferedChanges: 100 });
  await ensurePublication(fx.db, fx.slot, [{ schema: s, table: 'big' }]); // changes before a table joins the publication are never sent
  // the slot exists (from the first test: it streams every table of its publication); a load snapshot is taken
  // while transaction A is open: A commits after the snapshot and must be streamed; B committed before it must not
  await fx.db.query(`INSERT INTO "${s}".big VALUES (1, 'before', repeat(md5('x'), 1000))`); // B
  const open = new pg.Client({ connectionString: fx.url });
  await open.connect();
  await open.query('BEGIN');
  await open.query(`INSERT INTO "${s}".big VALUES (2, 'open across the snapshot', NULL)`); // A
  const holder = new pg.Client({ connectionString: fx.url });
  await holder.connect();
  const snap = await exportSnapshot(holder);
  await releaseSnapshot(holder);
  await holder.end();
  await open.query('COMMIT');
  await open.end();
  const before = await confirmedFlush(fx.db, fx.slot);
  const source = await startSource(config, { 'floe.source.lsn': snap.lsn, 'floe.source.pg-snapshot': snap.pgSnapshot });
  try {
    const big = await drain(source, 1, 10_000, false);
    assert.deepEqual(big.changes.map((c) => c.after!['id']), [2], 'only the transaction the snapshot did not see');
    await fx.db.query(`UPDATE "${s}".big SET note = 'toast kept' WHERE id = 1`);
    const toast = (await drain(source, 1, 10_000, false)).changes[0]!;
    assert.deepEqual(toast.unchanged, ['doc']);
    assert.equal('doc' in toast.after!, false);
    assert.equal(toast.after!['note'], 'toast kept');
    assert.equal(await confirmedFlush(fx.db, fx.slot), before, 'nothing acknowledged: the slot did not move');

    await fx.db.query(`INSERT INTO "${s}".big SELECT g, 'bulk', NULL FROM generate_series(100, 449) g`); // 350 changes > 100 buffered
    const pieces: { n: number; ckpt: string | undefined }[] = [];
    let got = 0;
    let lastAck: unknown;
    let bigCommit = 0n;
    while (got < 350) {
      const b = await source.next(120, 500);
      if (b.changes.length === 0) continue;
      got += b.changes.length;
      bigCommit = b.changes[0]!.position.commitLsn!;
      pieces.push({ n: b.changes.length, ckpt: b.checkpoints.get(`${s}.big`)?.['floe.source.lsn'] });
      lastAck = b.ack;
      if (got < 350) {
        await source.acknowledge(b.ack);
        assert.ok((await waitConfirmed(fx.db, fx.slot, 0)) <= toast.position.commitLsn! + 1n, 'a piece of an open transaction never confirms past the previous commit');
      }
    }
    assert.ok(pieces.length >= 3, `split into pieces: ${JSON.stringify(pieces)}`);
    assert.ok(pieces.every((p) => p.n <= 120));
    assert.equal(pieces[0]!.ckpt, formatLsn(toast.position.commitLsn!), 'pieces keep the previous commit as checkpoint');
    await source.acknowledge(lastAck);
    const confirmed = await waitConfirmed(fx.db, fx.slot, 1);
    assert.ok(confirmed > bigCommit, `confirmed ${confirmed} past the transaction's commit ${bigCommit} once it was acknowledged whole`);
    // idle: heartbeats let the slot move on with nothing pending
    await fx.db.query(`CREATE TABLE "${s}".other (x int)`);
    await fx.db.query(`INSERT INTO "${s}".other SELECT generate_series(1, 1000)`);
    const idleFrom = await confirmedFlush(fx.db, fx.slot);
    for (let i = 0; i < 10; i++) await source.next(100, 200);
    assert.ok((await confirmedFlush(fx.db, fx.slot)) > idleFrom, 'heartbeats advanced the idle slot');
    assert.ok((source.lastSlotStatus?.retainedWalBytes ?? -1) >= 0, `retained WAL gauge read: ${JSON.stringify(source.lastSlotStatus)}`);
  } finally {
    await source.close();
  }
});

async function waitConfirmed(db: pg.Client, slot: string, min: number): Promise<bigint> {
  let v = 0n;
  for (let i = 0; i < 20; i++) {
    v = await confirmedFlush(db, slot);
    if (v >= BigInt(min)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 150));
  return confirmedFlush(db, slot);
}
