/**
 * Crash test of `floe sync` on the real chain: while a writer streams random inserts, updates,
 * deletes and primary-key updates into PostgreSQL, floe is killed with SIGKILL at random
 * moments (mid-read, mid-write, mid-commit) and restarted each time. After the last restart
 * drains, the Iceberg table (read by pyiceberg) equals the source exactly. 3 kills by default;
 * FLOE_LONG=1 runs 20 (docs/development.md, "Long tests").
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SyncWorld, type ColumnKind } from './sync-kafka-harness.ts';

const KILLS = process.env.FLOE_LONG === '1' ? 20 : 3;
const COLUMNS: Record<string, ColumnKind> = { id: 'int', v: 'int', note: 'text' };
const world = new SyncWorld();

before(async () => {
  await world.open();
  await world.db.query(`CREATE TABLE "${world.schema}".acct (id int PRIMARY KEY, v bigint NOT NULL, note text);
    INSERT INTO "${world.schema}".acct SELECT g, g, 'n' || g FROM generate_series(1, 500) g`);
  // Small, frequent commits so kills land inside commits as well as between them; snapshots
  // expire every few seconds, so kills land inside expiry commits and file deletes too.
  await world.writeConfig(['acct'], { commitIntervalMs: 200, maxBatchChanges: 300, snapshotMaxAgeMs: 2000, minSnapshotsToKeep: 2 });
  await world.startConnector(['acct']);
});

after(async () => {
  await world.close();
});

/** Random small transactions until `stop` is set; returns how many statements ran. */
async function writer(stop: { done: boolean }): Promise<number> {
  const s = `"${world.schema}".acct`;
  let n = 0;
  let next = 10_000;
  const rnd = (k: number): number => Math.floor(Math.random() * k);
  while (!stop.done) {
    const ops: Promise<unknown>[] = [];
    const pick = rnd(10);
    if (pick < 3) ops.push(world.db.query(`INSERT INTO ${s} VALUES ($1, $2, 'w') ON CONFLICT (id) DO NOTHING`, [next++, rnd(1000)]));
    else if (pick < 7) ops.push(world.db.query(`UPDATE ${s} SET v = v + 1, note = note || '+' WHERE id = (SELECT id FROM ${s} ORDER BY random() LIMIT 1)`));
    else if (pick < 9) ops.push(world.db.query(`DELETE FROM ${s} WHERE id = (SELECT id FROM ${s} ORDER BY random() LIMIT 1)`));
    else ops.push(world.db.query(`UPDATE ${s} SET id = $1 WHERE id = (SELECT id FROM ${s} ORDER BY random() LIMIT 1)`, [next++]));
    await Promise.all(ops);
    n += 1;
    await new Promise((r) => setTimeout(r, 2));
  }
  return n;
}

test(`kill -9 floe sync ${KILLS} times during a stream of changes: the table ends equal to the source`, { timeout: 300_000 + KILLS * 15_000 }, async () => {
  await world.waitForRecords('acct', 500);
  const stop = { done: false };
  const writing = writer(stop);
  /** Snapshot ids on the table after each kill. */
  const snapshotsSeen: string[][] = [];
  try {
    for (let i = 0; i < KILLS; i += 1) {
      const child = world.spawnFloe(['sync']);
      // Start-up (tsx, catalog, key index, Kafka) takes ~3-4 s here: kill anywhere from during
      // start-up to several commits in.
      await new Promise((r) => setTimeout(r, 2500 + Math.random() * 5000));
      assert.equal(child.exitCode, null, `floe sync exited early:\n${child.output().slice(-3000)}`);
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
      // Killed before the table existed (start-up), pyiceberg has nothing to open yet.
      snapshotsSeen.push(await world.icebergInfo('acct').then((info) => info.snapshots.map((x) => x.snapshot_id), () => []));
    }
  } finally {
    stop.done = true;
  }
  const statements = await writing;
  await world.waitForConnectorCaughtUp();
  await world.syncOnce();
  const ice = await world.icebergRows('acct');
  const src = await world.pgRows('acct', COLUMNS);
  assert.equal(ice.length, src.length);
  assert.deepEqual(ice, src);
  assert.ok(statements > 100, `the writer ran ${statements} statements`);
  const first = new Set(snapshotsSeen[0]);
  const ever = new Set(snapshotsSeen.flat());
  assert.ok(snapshotsSeen[snapshotsSeen.length - 1]!.some((id) => !first.has(id)), `commits happened between kills: ${snapshotsSeen.map((ids) => ids.length).join(', ')} snapshots`);
  const kept = (await world.icebergInfo('acct')).snapshots.length;
  assert.ok(kept < ever.size, `old snapshots expired during the kills: ${kept} kept of ${ever.size} seen`);
});
