/**
 * `floe sync` on the real chain: PostgreSQL → Debezium (pgoutput) → Kafka → floe → Iceberg,
 * read back by pyiceberg and compared with PostgreSQL after each step: Debezium's snapshot
 * reads, inserts, updates, deletes, delete + reinsert of a key in one batch, primary-key
 * updates, composite keys, an update leaving a TOAST column unchanged, NULLs, numeric and
 * temporal edge values, truncate; then restart idempotence and the checkpoint in the summary.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SyncWorld, type ColumnKind } from './sync-kafka-harness.ts';

const ITEMS: Record<string, ColumnKind> = {
  id: 'int', name: 'text', qty: 'int', price: 'numeric', ts: 'timestamp', tstz: 'timestamp', d: 'date', flag: 'bool', data: 'bytea', f: 'float8', big: 'text',
};
const PAIRS: Record<string, ColumnKind> = { a: 'int', b: 'text', v: 'text' };

const world = new SyncWorld();

async function assertSame(step: string): Promise<void> {
  assert.deepEqual(await world.icebergRows('items'), await world.pgRows('items', ITEMS), `${step}: items`);
  assert.deepEqual(await world.icebergRows('pairs'), await world.pgRows('pairs', PAIRS), `${step}: pairs`);
}

before(async () => {
  await world.open();
  const s = `"${world.schema}"`;
  await world.db.query(`
    CREATE TABLE ${s}.items (
      id int PRIMARY KEY, name text, qty bigint NOT NULL, price numeric(12,3), ts timestamp(6), tstz timestamptz,
      d date, flag boolean, data bytea, f double precision, big text);
    CREATE TABLE ${s}.pairs (a int, b text, v text, PRIMARY KEY (a, b));
    INSERT INTO ${s}.items SELECT g, 'item ' || g, g * 10, g * 1.5, timestamp '2024-01-01' + g * interval '1 second',
      timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute', date '2024-01-01' + g, g % 2 = 0, decode(md5(g::text), 'hex'), g / 3.0, NULL
      FROM generate_series(1, 200) g;
    INSERT INTO ${s}.pairs SELECT g % 7, 'k' || g, 'v' || g FROM generate_series(1, 50) g;
  `);
  await world.writeConfig(['items', 'pairs']);
  await world.startConnector(['items', 'pairs']);
});

after(async () => {
  await world.close();
});

test("Debezium's snapshot reads fill the created tables", { timeout: 240_000 }, async () => {
  await world.waitForRecords('items', 200);
  await world.waitForRecords('pairs', 50);
  const out = await world.syncOnce();
  assert.match(out, /250 changes/);
  await assertSame('snapshot');
});

test('inserts, updates, deletes, PK updates, delete + reinsert, TOAST, NULLs and edge values', { timeout: 240_000 }, async () => {
  const s = `"${world.schema}"`;
  const big = 'x'.repeat(3000) + Array.from({ length: 2000 }, (_, i) => (i * 7919) % 10007).join(','); // compressed + toasted
  await world.db.query(`UPDATE ${s}.items SET big = $1 WHERE id = 5`, [big]);
  await world.db.query(`UPDATE ${s}.items SET qty = qty + 1 WHERE id = 5`); // TOAST column unchanged: placeholder in the event
  await world.db.query(`UPDATE ${s}.items SET name = NULL, price = NULL, ts = NULL, tstz = NULL, d = NULL, flag = NULL, data = NULL, f = NULL WHERE id = 6`);
  await world.db.query(`DELETE FROM ${s}.items WHERE id BETWEEN 10 AND 19`);
  await world.db.query(`BEGIN; DELETE FROM ${s}.items WHERE id = 20; INSERT INTO ${s}.items (id, name, qty) VALUES (20, 'reborn', -1); COMMIT`);
  await world.db.query(`UPDATE ${s}.items SET id = 1000 WHERE id = 21`); // primary-key update: d + c
  await world.db.query(`UPDATE ${s}.items SET big = $1 WHERE id = 7`, [big]);
  // A key move leaving the TOAST column unchanged: the create holds the placeholder; Debezium's
  // __debezium.oldkey header says where the value is, so the record headers must reach the decoder.
  await world.db.query(`UPDATE ${s}.items SET id = 2007 WHERE id = 7`);
  await world.db.query(`INSERT INTO ${s}.items (id, name, qty, price, ts, tstz, d, f, data) VALUES
      (300, 'max', 9223372036854775807, 999999999.999, '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59.999999+00', '9999-12-31', 1e308, '\\x00ff'),
      (301, 'min', -9223372036854775808, -999999999.999, '0001-01-01 00:00:00', '0001-01-01 00:00:00+00', '0001-01-01', -0.0, ''),
      (302, 'pre-epoch', 0, -0.001, '1969-12-31 23:59:59.999999', '1900-01-01 12:34:56.789012+00', '1969-12-31', 5e-324, NULL)`);
  await world.db.query(`UPDATE ${s}.pairs SET v = 'changed' WHERE a = 3`);
  await world.db.query(`UPDATE ${s}.pairs SET b = b || '-moved' WHERE a = 4`); // composite PK update
  await world.db.query(`DELETE FROM ${s}.pairs WHERE a = 5`);
  await world.waitForConnectorCaughtUp();
  await world.syncOnce();
  await assertSame('changes');
  const rows = await world.icebergRows('items');
  const five = rows.find((r) => (r as { id: string }).id === '5') as Record<string, unknown>;
  assert.equal(five.big, big, 'the unchanged TOAST value is carried forward, not the placeholder');
  const moved = rows.find((r) => (r as { id: string }).id === '2007') as Record<string, unknown>;
  assert.equal(moved.big, big, 'a key move carries the unchanged TOAST value to the new key');
  assert.equal(rows.find((r) => (r as { id: string }).id === '7'), undefined);
});

test('truncate empties the table in one commit; later inserts land after it', { timeout: 240_000 }, async () => {
  const s = `"${world.schema}"`;
  await world.db.query(`TRUNCATE ${s}.pairs`);
  await world.db.query(`INSERT INTO ${s}.pairs VALUES (1, 'after', 'truncate')`);
  await world.waitForConnectorCaughtUp();
  await world.syncOnce();
  await assertSame('truncate');
  assert.equal((await world.icebergRows('pairs')).length, 1);
});

test('a rerun with nothing new commits nothing; the summary holds the offsets', { timeout: 240_000 }, async () => {
  const before = await world.icebergInfo('items');
  await world.syncOnce(1000);
  const afterInfo = await world.icebergInfo('items');
  assert.equal(afterInfo.current_snapshot_id, before.current_snapshot_id);
  const last = afterInfo.snapshots.find((s) => s.snapshot_id === afterInfo.current_snapshot_id)!;
  const offsets = JSON.parse(last.summary['floe.kafka.offsets']!) as Record<string, Record<string, string>>;
  assert.deepEqual(Object.keys(offsets), [world.topic('items')]);
  assert.ok(BigInt(offsets[world.topic('items')]!['0']!) > 200n);
  assert.ok(last.summary['floe.source.position']);
});
