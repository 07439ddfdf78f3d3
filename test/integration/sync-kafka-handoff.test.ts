/**
 * Handoff from `floe load` to `floe sync` on the real chain. The connector streams from before
 * the load (snapshot.mode=no_data), so Kafka holds changes the load already contains; one
 * transaction stays open across the load's snapshot, so its change is older (by LSN) than the
 * load's watermark yet not in the loaded rows. A keyless table makes any double-apply visible
 * as a duplicate row. After sync, both tables equal the source exactly.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { SyncWorld, type ColumnKind } from './sync-kafka-harness.ts';

const world = new SyncWorld();
const EVENTS: Record<string, ColumnKind> = { n: 'int', tag: 'text' };
const ACC: Record<string, ColumnKind> = { id: 'int', v: 'text' };

before(async () => {
  await world.open();
  const s = `"${world.schema}"`;
  await world.db.query(`CREATE TABLE ${s}.events (n int, tag text); ALTER TABLE ${s}.events REPLICA IDENTITY FULL;
    CREATE TABLE ${s}.acc (id int PRIMARY KEY, v text)`);
  await world.writeConfig(['events', 'acc']);
  await world.startConnector(['events', 'acc'], { 'snapshot.mode': 'no_data' });
});

after(async () => {
  await world.close();
});

test('changes already in the load are skipped; a transaction open across its snapshot is applied once', { timeout: 300_000 }, async () => {
  const s = `"${world.schema}"`;
  await world.db.query(`INSERT INTO ${s}.events SELECT g, 'before load' FROM generate_series(1, 50) g`);
  await world.db.query(`INSERT INTO ${s}.acc SELECT g, 'v' || g FROM generate_series(1, 50) g`);
  await world.db.query(`UPDATE ${s}.acc SET v = 'updated before load' WHERE id <= 5`);
  const open = new pg.Client({ connectionString: world.services.pgUrl });
  await open.connect();
  try {
    await open.query('BEGIN');
    await open.query(`INSERT INTO ${s}.events VALUES (1000, 'open across the load')`);
    await open.query(`UPDATE ${s}.acc SET v = 'open across the load' WHERE id = 7`);
    const load = await world.runFloe(['load']);
    assert.equal(load.code, 0, load.output);
    await open.query('COMMIT');
  } finally {
    await open.end();
  }
  await world.db.query(`INSERT INTO ${s}.events VALUES (2000, 'after load')`);
  await world.db.query(`DELETE FROM ${s}.acc WHERE id = 3`);
  await world.waitForConnectorCaughtUp();
  await world.syncOnce();
  assert.deepEqual(await world.icebergRows('events'), await world.pgRows('events', EVENTS));
  assert.deepEqual(await world.icebergRows('acc'), await world.pgRows('acc', ACC));
  assert.equal((await world.icebergRows('events')).length, 52);
});
