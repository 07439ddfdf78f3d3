/**
 * Smoke test of the services that scripts/services.sh runs: a row inserted in PostgreSQL comes
 * out of Kafka as a Debezium change event (PostgreSQL -> pgoutput -> Kafka Connect -> Kafka ->
 * a Node consumer), and the pyiceberg reader is installed. If this fails, every other
 * integration test would fail for reasons that have nothing to do with floe.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Admin, Consumer, stringDeserializers } from '@platformatic/kafka';
import { testServices } from '../support/services.ts';

const services = testServices();

/** Calls the Kafka Connect REST API; returns the parsed body, or null for 204/404. */
async function connect(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${services.connectUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (res.status === 204 || res.status === 404) return null;
  const text = await res.text();
  if (!res.ok) throw new Error(`kafka connect ${method} ${path}: HTTP ${res.status} ${text}`);
  return text === '' ? null : JSON.parse(text);
}

/** Polls `check` every 250 ms until it returns a value other than undefined; throws after `ms`. */
async function waitFor<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface ChangeEvent {
  payload: { op: string; before: unknown; after: Record<string, unknown> | null; source: { table: string } };
}

/** Reads the first message of `topic` from the beginning; throws after `ms`. */
async function firstMessage(topic: string, ms: number): Promise<string> {
  // Connect creates the topic with its first record; subscribing earlier fails with "Unknown topic".
  const admin = new Admin({ clientId: 'floe-services-smoke', bootstrapBrokers: [...services.kafkaBrokers] });
  try {
    await waitFor(`kafka topic ${topic} to exist`, ms, async () => ((await admin.listTopics()).includes(topic) ? true : undefined));
  } finally {
    await admin.close();
  }
  const consumer = new Consumer({
    groupId: `floe-smoke-${randomBytes(4).toString('hex')}`,
    clientId: 'floe-services-smoke',
    bootstrapBrokers: [...services.kafkaBrokers],
    deserializers: stringDeserializers,
  });
  const timer = setTimeout(() => void consumer.close(true), ms);
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, maxWaitTime: 500 });
    for await (const message of stream) {
      if (message.value) return message.value;
    }
    throw new Error(`kafka topic ${topic}: stream ended before a message arrived (timeout ${ms} ms)`);
  } finally {
    clearTimeout(timer);
    await consumer.close(true);
  }
}

test('a PostgreSQL insert reaches Kafka as a Debezium create event', { timeout: 240_000 }, async () => {
  const id = `smoke_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const table = `${id}_t`;
  const topic = `${id}.public.${table}`;
  const url = new URL(services.pgUrl);
  const db = new pg.Client({ connectionString: services.pgUrl });
  await db.connect();
  try {
    await db.query(`CREATE TABLE public.${table} (id int PRIMARY KEY, name text NOT NULL, qty bigint)`);
    await connect('PUT', `/connectors/${id}/config`, {
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'plugin.name': 'pgoutput',
      'database.hostname': url.hostname,
      'database.port': url.port || '5432',
      'database.user': decodeURIComponent(url.username),
      'database.password': decodeURIComponent(url.password),
      'database.dbname': url.pathname.slice(1) || 'postgres',
      'topic.prefix': id,
      'slot.name': id,
      'publication.name': `${id}_pub`,
      'publication.autocreate.mode': 'filtered',
      'table.include.list': `public.${table}`,
      // Stream only: the row below must arrive as a create, not as a snapshot read.
      'snapshot.mode': 'no_data',
      'tasks.max': '1',
    });
    // A change committed before the slot reaches its consistent point is not decoded, and a slot
    // shows as active while it is still being created: wait until its walsender streams.
    await waitFor(`replication slot ${id} to stream`, 120_000, async () => {
      const status = (await connect('GET', `/connectors/${id}/status`)) as { tasks?: { state: string; trace?: string }[] } | null;
      const failed = status?.tasks?.find((t) => t.state === 'FAILED');
      if (failed) throw new Error(`debezium connector ${id} failed: ${failed.trace ?? 'no trace'}`);
      const streaming = await db.query(
        `SELECT 1 FROM pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid
          WHERE s.slot_name = $1 AND r.state = 'streaming'`,
        [id],
      );
      return streaming.rowCount === 1 ? true : undefined;
    });
    await db.query(`INSERT INTO public.${table} (id, name, qty) VALUES (1, 'floe', 42)`);

    const event = JSON.parse(await firstMessage(topic, 120_000)) as ChangeEvent;
    assert.equal(event.payload.op, 'c');
    assert.equal(event.payload.before, null);
    assert.deepEqual(event.payload.after, { id: 1, name: 'floe', qty: 42 });
    assert.equal(event.payload.source.table, table);
  } finally {
    await cleanUp(db, id, table, topic);
  }
});

/** Removes the connector, then its slot (once released), publication, table and topic. */
async function cleanUp(db: pg.Client, id: string, table: string, topic: string): Promise<void> {
  try {
    await connect('DELETE', `/connectors/${id}`);
    await waitFor(`replication slot ${id} to be released`, 60_000, async () => {
      const slot = await db.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [id]);
      return slot.rows[0]?.active === true ? undefined : true;
    });
    await db.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [id]);
    await db.query(`DROP PUBLICATION IF EXISTS ${id}_pub`);
    await db.query(`DROP TABLE IF EXISTS public.${table}`);
    const admin = new Admin({ clientId: 'floe-services-smoke', bootstrapBrokers: [...services.kafkaBrokers] });
    try {
      await admin.deleteTopics({ topics: [topic] });
    } catch {
      // The topic may never have been created; leaving it behind harms nothing.
    } finally {
      await admin.close();
    }
  } finally {
    await db.end();
  }
}

test('the pyiceberg reader is installed', async () => {
  const { stdout } = await promisify(execFile)(services.python, ['-c', 'import pyiceberg; print(pyiceberg.__version__)']);
  assert.match(stdout.trim(), /^\d+\.\d+\.\d+/);
});
