/**
 * Bad events and resumption on the real chain: a hand-produced garbage record on a table's
 * topic under each `sync.badEvents` policy (fail names topic/partition/offset and keeps what
 * came before; skip logs and goes on; dead-letter writes the raw record to a JSONL file), a
 * resume that ignores Kafka's committed offsets after they were reset, and an unknown column
 * stopping its table.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Consumer, Producer } from '@platformatic/kafka';
import { SyncWorld, type ColumnKind } from './sync-kafka-harness.ts';

const COLUMNS: Record<string, ColumnKind> = { id: 'int', v: 'text' };
const world = new SyncWorld();
const s = (): string => `"${world.schema}".t`;

async function produceGarbage(value: string): Promise<void> {
  const producer = new Producer({ clientId: 'floe-test', bootstrapBrokers: [...world.services.kafkaBrokers] });
  try {
    await producer.send({ messages: [{ topic: world.topic('t'), partition: 0, key: Buffer.from('{"garbage":true}'), value: Buffer.from(value) }] });
  } finally {
    await producer.close();
  }
}

async function committedOffset(): Promise<bigint> {
  const consumer = new Consumer({ clientId: 'floe-test', groupId: world.id, bootstrapBrokers: [...world.services.kafkaBrokers] });
  try {
    const offsets = await consumer.listCommittedOffsets({ topics: [{ topic: world.topic('t'), partitions: [0] }] });
    return offsets.get(world.topic('t'))![0]!;
  } finally {
    await consumer.close(true);
  }
}

async function assertSame(step: string): Promise<void> {
  assert.deepEqual(await world.icebergRows('t'), await world.pgRows('t', COLUMNS), step);
}

before(async () => {
  await world.open();
  await world.db.query(`CREATE TABLE ${s()} (id int PRIMARY KEY, v text); INSERT INTO ${s()} SELECT g, 'v' || g FROM generate_series(1, 10) g`);
  await world.writeConfig(['t']);
  await world.startConnector(['t']);
  await world.waitForRecords('t', 10);
  await world.syncOnce();
});

after(async () => {
  await world.close();
});

test('fail (default): stops with topic, partition, offset and reason; changes before it are committed', { timeout: 180_000 }, async () => {
  await world.db.query(`INSERT INTO ${s()} VALUES (11, 'before the bad one')`);
  await world.waitForConnectorCaughtUp();
  await produceGarbage('this is not json {');
  const badOffset = 11n; // offsets 0-9 snapshot reads, 10 the insert, then the garbage
  await world.db.query(`INSERT INTO ${s()} VALUES (12, 'after the bad one')`);
  await world.waitForConnectorCaughtUp();
  const r = await world.runFloe(['sync', '--once', '--idle-ms', '1500']);
  assert.equal(r.code, 1, r.output);
  assert.match(r.output, new RegExp(`bad event at topic ${world.topic('t')} partition 0 offset ${badOffset}`));
  const ids = (await world.icebergRows('t')).map((row) => (row as { id: string }).id);
  assert.ok(ids.includes('11'), 'the change before the bad event is committed');
  assert.ok(!ids.includes('12'), 'nothing after the bad event is applied');
});

test('skip: logs the bad event and goes on', { timeout: 180_000 }, async () => {
  await world.writeConfig(['t'], { badEvents: 'skip' });
  const r = await world.runFloe(['sync', '--once', '--idle-ms', '1500']);
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /bad event/);
  await assertSame('after skip');
});

test('dead-letter: the raw record, where it came from and why go to a JSONL file', { timeout: 180_000 }, async () => {
  await world.writeConfig(['t'], { badEvents: 'dead-letter' });
  await produceGarbage('{"payload": {"op": "c", "after": {"id": "not a number", "v": "x"}}}');
  await world.db.query(`INSERT INTO ${s()} VALUES (13, 'after the dead letter')`);
  await world.waitForConnectorCaughtUp();
  await world.syncOnce(1500);
  await assertSame('after dead-letter');
  const lines = (await readFile(join(world.dir, 'data', 'dead-letter', `${world.topic('t')}.jsonl`), 'utf8')).trim().split('\n');
  assert.equal(lines.length, 1);
  const letter = JSON.parse(lines[0]!) as Record<string, string | number>;
  assert.equal(letter.topic, world.topic('t'));
  assert.equal(letter.partition, 0);
  assert.equal(letter.offset, '13'); // 11 garbage, 12 insert, 13 garbage
  assert.equal(letter.table, `${world.schema}.t`);
  assert.equal(Buffer.from(letter.value as string, 'base64').toString(), '{"payload": {"op": "c", "after": {"id": "not a number", "v": "x"}}}');
  assert.equal(Buffer.from(letter.key as string, 'base64').toString(), '{"garbage":true}');
  assert.ok(typeof letter.reason === 'string' && letter.reason.length > 0);
  assert.ok(!Number.isNaN(Date.parse(letter.time as string)));
});

test("resume comes from the table's summary, not from Kafka's committed offsets", { timeout: 180_000 }, async () => {
  const end = await committedOffset();
  assert.ok(end >= 15n, `Kafka has the committed offset for lag monitoring: ${end}`);
  const consumer = new Consumer({ clientId: 'floe-test', groupId: world.id, bootstrapBrokers: [...world.services.kafkaBrokers] });
  try {
    consumer.generationId = -1;
    consumer.memberId = '';
    await consumer.commit({ offsets: [{ topic: world.topic('t'), partition: 0, offset: 0n, leaderEpoch: -1 }] });
  } finally {
    await consumer.close(true);
  }
  assert.equal(await committedOffset(), 0n);
  const before = (await world.icebergInfo('t')).current_snapshot_id;
  await world.db.query(`UPDATE ${s()} SET v = 'resumed' WHERE id = 1`);
  await world.waitForConnectorCaughtUp();
  await world.syncOnce(1500);
  const info = await world.icebergInfo('t');
  const added = info.snapshots.filter((x) => BigInt(x.snapshot_id) > 0n).length;
  assert.notEqual(info.current_snapshot_id, before);
  const last = info.snapshots.find((x) => x.snapshot_id === info.current_snapshot_id)!;
  assert.equal(last.summary['added-records'], '1', `only the new change is applied (${added} snapshots)`);
  await assertSame('after reset');
  assert.ok((await committedOffset()) > end, 'the lag-monitoring offset moves on again');
});

test('an unknown column stops its table with a clear error', { timeout: 180_000 }, async () => {
  await world.db.query(`ALTER TABLE ${s()} ADD COLUMN extra int; INSERT INTO ${s()} VALUES (99, 'new shape', 1)`);
  await world.waitForConnectorCaughtUp();
  const r = await world.runFloe(['sync', '--once', '--idle-ms', '1500']);
  assert.equal(r.code, 1, r.output);
  assert.match(r.output, /stopped {2}\S+\.t .*column "extra" is not in the target table/);
  assert.ok(!(await world.icebergRows('t')).some((row) => (row as { id: string }).id === '99'));
});
