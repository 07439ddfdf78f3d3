/**
 * Drives the real Debezium chain for fixtures and integration tests: registers a PostgreSQL
 * connector on Kafka Connect (REST), waits for it, and captures the raw Kafka records of its
 * topics (key/value as the exact UTF-8 text the JSON converter wrote). Used by
 * scripts/record-debezium-fixtures.ts and test/integration/debezium-decode.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { Admin, Consumer } from '@platformatic/kafka';
import * as services from './services.ts';

/** One Kafka record as recorded: key and value text exactly as written (null = Kafka null). */
export interface RawRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string; // decimal int64
  readonly key: string | null;
  readonly value: string | null;
  /** Record headers as UTF-8 text (Debezium's `__debezium.oldkey` on a key-moving create); absent when none. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Where the services are, from FLOE_PG_URL, FLOE_KAFKA_BROKERS and FLOE_CONNECT_URL. */
export interface ChainEnv {
  readonly pgUrl: string;
  readonly brokers: readonly string[];
  readonly connectUrl: string;
}

/** The chain's endpoints from FLOE_PG_URL, FLOE_KAFKA_BROKERS and FLOE_CONNECT_URL; throws naming a missing one. */
export function chainEnv(): ChainEnv {
  const { requireEnv } = services;
  return {
    pgUrl: requireEnv('FLOE_PG_URL'),
    brokers: requireEnv('FLOE_KAFKA_BROKERS').split(',').map((b) => b.trim()).filter((b) => b !== ''),
    connectUrl: requireEnv('FLOE_CONNECT_URL').replace(/\/+$/, ''),
  };
}

/** The database.* settings of a Debezium PostgreSQL connector for `pgUrl`. */
export function databaseSettings(pgUrl: string): Record<string, string> {
  const u = new URL(pgUrl);
  return {
    'database.hostname': u.hostname,
    'database.port': u.port || '5432',
    'database.user': decodeURIComponent(u.username),
    'database.password': decodeURIComponent(u.password),
    'database.dbname': decodeURIComponent(u.pathname.slice(1)) || 'postgres',
  };
}

async function rest(connectUrl: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${connectUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok && !(method === 'DELETE' && res.status === 404)) {
    throw new Error(`kafka connect ${method} ${path}: HTTP ${res.status}: ${text.slice(0, 500)}`);
  }
  return text ? (JSON.parse(text) as unknown) : null;
}

/** Creates or replaces connector `name` and waits until its task runs (throws with the trace if it fails). */
export async function startConnector(connectUrl: string, name: string, config: Record<string, string>, timeoutMs = 60_000): Promise<void> {
  await rest(connectUrl, 'PUT', `/connectors/${encodeURIComponent(name)}/config`, config);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await rest(connectUrl, 'GET', `/connectors/${encodeURIComponent(name)}/status`).catch(() => null)) as {
      tasks?: { state: string; trace?: string }[];
    } | null;
    const task = status?.tasks?.[0];
    if (task?.state === 'RUNNING') return;
    if (task?.state === 'FAILED') throw new Error(`connector ${name} failed: ${task.trace?.slice(0, 2000)}`);
    if (Date.now() > deadline) throw new Error(`connector ${name} not running after ${timeoutMs} ms: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Deletes connector `name` (no error when absent). */
export async function stopConnector(connectUrl: string, name: string): Promise<void> {
  await rest(connectUrl, 'DELETE', `/connectors/${encodeURIComponent(name)}`);
}

/** Deletes every topic whose name starts with `prefix` (leftovers of an earlier run). */
export async function deleteTopicsWithPrefix(brokers: readonly string[], prefix: string): Promise<void> {
  const admin = new Admin({ clientId: 'floe-fixtures-admin', bootstrapBrokers: [...brokers] });
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.close();
  }
}

/** Names of existing topics that start with `prefix`. */
export async function listTopicsWithPrefix(brokers: readonly string[], prefix: string): Promise<string[]> {
  const admin = new Admin({ clientId: 'floe-fixtures-admin', bootstrapBrokers: [...brokers] });
  try {
    return (await admin.listTopics()).filter((t) => t.startsWith(prefix)).sort();
  } finally {
    await admin.close();
  }
}

/**
 * Reads `topics` from the beginning until `done(records so far)` holds and no record arrived
 * for `idleMs`, or throws after `timeoutMs`. Records keep the order they arrived in.
 */
export async function captureTopics(
  brokers: readonly string[],
  topics: readonly string[],
  done: (records: readonly RawRecord[]) => boolean,
  { idleMs = 1500, timeoutMs = 90_000 } = {},
): Promise<RawRecord[]> {
  const consumer = new Consumer({ groupId: `floe-capture-${randomUUID()}`, clientId: 'floe-capture', bootstrapBrokers: [...brokers] });
  const records: RawRecord[] = [];
  try {
    const stream = await consumer.consume({ topics: [...topics], mode: 'earliest', autocommit: false, maxWaitTime: 200 });
    let last = Date.now();
    stream.on('data', (m: { topic: string; partition: number; offset: bigint; key?: Buffer | null; value?: Buffer | null; headers?: Map<Buffer, Buffer> }) => {
      // Debezium's context headers (run id, task) change every run and mean nothing to floe.
      const kept = [...(m.headers ?? [])].filter(([k]) => !k.toString('utf8').startsWith('__debezium.context.'));
      const headers = kept.length > 0 ? Object.fromEntries(kept.map(([k, v]) => [k.toString('utf8'), v.toString('utf8')])) : undefined;
      records.push({
        topic: m.topic,
        partition: m.partition,
        offset: m.offset.toString(),
        key: m.key && m.key.length > 0 ? m.key.toString('utf8') : null,
        value: m.value && m.value.length > 0 ? m.value.toString('utf8') : null,
        ...(headers ? { headers } : {}),
      });
      last = Date.now();
    });
    const deadline = Date.now() + timeoutMs;
    while (!(done(records) && Date.now() - last >= idleMs)) {
      if (Date.now() > deadline) throw new Error(`captured ${records.length} records from ${topics.join(', ')}, condition not met after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await stream.close();
    return records;
  } finally {
    await consumer.close(true);
  }
}
