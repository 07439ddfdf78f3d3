/**
 * Debezium change events for benchmarks, generated straight into the JSON converter's format
 * (schemas embedded) from a recorded fixture (test/fixtures/debezium/delete.schema.records.json:
 * table `id int4 PK, name text`), so the bytes floe decodes match what the real connector
 * writes: same schema blocks, same source block fields, tombstones after deletes. A c/u/d mix
 * over a key space: creates for absent keys, then 70 % updates and 30 % deletes of live ones.
 */
import { readFileSync } from 'node:fs';
import { Admin, Producer } from '@platformatic/kafka';
import type { Schema } from '../../src/iceberg/spec/types.ts';

/** The Iceberg schema of the events' table (`id int4 PRIMARY KEY, name text`). */
export const EVENTS_TABLE_SCHEMA: Schema = {
  schemaId: 0,
  identifierFieldIds: [1],
  fields: [
    { id: 1, name: 'id', required: true, type: { type: 'int' } },
    { id: 2, name: 'name', required: false, type: { type: 'string' } },
  ],
};

interface FixtureRecord {
  readonly key: string;
  readonly value: string | null;
}

const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/debezium/delete.schema.records.json', import.meta.url), 'utf8')) as { records: FixtureRecord[] };
const first = fixture.records.find((r) => r.value !== null)!;
const KEY_SCHEMA = JSON.stringify((JSON.parse(first.key) as { schema: unknown }).schema);
const VALUE = JSON.parse(first.value!) as { schema: unknown; payload: { source: Record<string, unknown> } };
const VALUE_SCHEMA = JSON.stringify(VALUE.schema);
const SOURCE = VALUE.payload.source;

/** One generated event: key/value text as the connector writes it. */
export interface GeneratedEvent {
  readonly key: string;
  readonly value: string | null;
}

/** Generates events over ids [1, keySpace]; `live` tracks which keys exist (starts empty). */
export class DebeziumEventGenerator {
  readonly #live = new Set<number>();
  #lsn = 50_000_000n;
  #tx = 1000;
  constructor(readonly keySpace: number, readonly tableName = 'bench') {}

  /** Marks every key as live (the table already holds all of them). */
  fillKeySpace(): void {
    for (let id = 1; id <= this.keySpace; id += 1) this.#live.add(id);
  }

  /** The next 1–2 records (a delete is followed by its tombstone); `tsMs` is the source commit time. */
  next(tsMs: number): GeneratedEvent[] {
    const id = 1 + Math.floor(Math.random() * this.keySpace);
    const key = `{"schema":${KEY_SCHEMA},"payload":{"id":${id}}}`;
    this.#lsn += 120n;
    this.#tx += 1;
    const source = JSON.stringify({ ...SOURCE, ts_ms: tsMs, table: this.tableName, txId: this.#tx, lsn: Number(this.#lsn), xmin: null, sequence: `["${this.#lsn - 120n}","${this.#lsn}"]` });
    const envelope = (op: string, before: string, after: string): string =>
      `{"schema":${VALUE_SCHEMA},"payload":{"before":${before},"after":${after},"source":${source},"transaction":null,"op":"${op}","ts_ms":${tsMs},"ts_us":${tsMs * 1000},"ts_ns":${tsMs * 1_000_000}}}`;
    const row = `{"id":${id},"name":"name ${id} ${Math.random().toString(36).slice(2, 10)}"}`;
    if (!this.#live.has(id)) {
      this.#live.add(id);
      return [{ key, value: envelope('c', 'null', row) }];
    }
    if (Math.random() < 0.7) return [{ key, value: envelope('u', 'null', row) }];
    this.#live.delete(id);
    return [{ key, value: envelope('d', `{"id":${id},"name":null}`, 'null') }, { key, value: null }];
  }
}

/** Creates `topic` (1 partition, like a Debezium table topic) and produces `count` records; returns bytes written. */
export async function fillTopic(brokers: readonly string[], topic: string, gen: DebeziumEventGenerator, count: number): Promise<number> {
  await createTopic(brokers, topic);
  const producer = new Producer({ clientId: 'floe-bench', bootstrapBrokers: [...brokers], acks: 1, compression: 'none' } as ConstructorParameters<typeof Producer>[0]);
  let bytes = 0;
  let made = 0;
  const inflight: Promise<unknown>[] = [];
  try {
    while (made < count) {
      const messages = [];
      // ~3 KB per event with schemas embedded: 250 keeps a request under the broker's 1 MB limit.
      while (messages.length < 250 && made < count) {
        for (const e of gen.next(Date.now())) {
          const key = Buffer.from(e.key);
          const value = e.value === null ? undefined : Buffer.from(e.value);
          bytes += key.length + (value?.length ?? 0);
          messages.push({ topic, partition: 0, key, ...(value === undefined ? {} : { value }) });
          made += 1;
        }
      }
      inflight.push(producer.send({ messages }));
      if (inflight.length >= 8) await inflight.shift();
    }
    await Promise.all(inflight);
  } finally {
    await producer.close();
  }
  return bytes;
}

/** Creates a 1-partition topic (like a Debezium table topic). */
export async function createTopic(brokers: readonly string[], topic: string): Promise<void> {
  const admin = new Admin({ clientId: 'floe-bench', bootstrapBrokers: [...brokers] });
  await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 }).finally(() => admin.close());
}

/** Deletes topics (bench cleanup); errors ignored. */
export async function deleteTopics(brokers: readonly string[], topics: readonly string[]): Promise<void> {
  const admin = new Admin({ clientId: 'floe-bench', bootstrapBrokers: [...brokers] });
  await admin.deleteTopics({ topics: [...topics] }).catch(() => undefined);
  await admin.close();
}
