/**
 * The change source in its own thread (pipeline/sync/threaded-source.ts) against the same
 * source on the main thread, on a real Kafka topic of Debezium events: the same changes in the
 * same order with the same checkpoints; a bad event under `fail` raised only after every change
 * read before it; events and log lines replayed on the main thread; close ends the thread.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Producer } from '@platformatic/kafka';
import pg from 'pg';
import { buildConfig } from '../../src/config/load-config.ts';
import type { Change } from '../../src/core/change.ts';
import { BadEventError } from '../../src/core/errors.ts';
import { EventBus } from '../../src/core/events.ts';
import { createLogger, silentLogger } from '../../src/core/logger.ts';
import type { TableMetadata } from '../../src/iceberg/spec/types.ts';
import { newTableMetadata } from '../../src/iceberg/table/metadata-updates.ts';
import type { ChangeSource, CheckpointSummary } from '../../src/pipeline/sync/change-source.ts';
import { openSource, sourceRecipe, type SourceRecipe } from '../../src/pipeline/sync/source-recipe.ts';
import { ThreadedChangeSource } from '../../src/pipeline/sync/threaded-source.ts';
import { DebeziumEventGenerator, deleteTopics, EVENTS_TABLE_SCHEMA, fillTopic } from '../../bench/support/debezium-events.ts';
import { testServices } from '../support/services.ts';

const services = testServices();
const PG_SCHEMA = `floe_threaded_${Date.now().toString(36)}`;
const TOPIC = `${PG_SCHEMA}.events`;
const RECORDS = 3000;
let dir: string | undefined;
let recipe: SourceRecipe;

before(async () => {
  const db = new pg.Client({ connectionString: services.pgUrl });
  await db.connect();
  await db.query(`CREATE SCHEMA "${PG_SCHEMA}"; CREATE TABLE "${PG_SCHEMA}".events (id int4 PRIMARY KEY, name text)`);
  await db.end();
  const gen = new DebeziumEventGenerator(500, 'events');
  await fillTopic(services.kafkaBrokers, TOPIC, gen, RECORDS);
  // a record no decoder accepts, after all the good ones
  const producer = new Producer({ clientId: 'floe-test', bootstrapBrokers: [...services.kafkaBrokers] });
  await producer.send({ messages: [{ topic: TOPIC, partition: 0, key: Buffer.from('{"id":1}'), value: Buffer.from('{"not": "an envelope"') }] });
  await producer.close();
  dir = await mkdtemp(join(tmpdir(), 'floe-threaded-'));
  const config = await buildConfig({
    dataDir: dir,
    sources: { pg: { type: 'postgres', url: services.pgUrl } },
    tables: [{ source: `${PG_SCHEMA}.events`, target: 'bench.events', topic: TOPIC }],
    sync: { source: { type: 'kafka', brokers: [...services.kafkaBrokers], groupId: PG_SCHEMA, topics: [TOPIC] } },
  });
  const metadata: TableMetadata = newTableMetadata({ location: `file://${dir}/warehouse/bench/events`, schema: EVENTS_TABLE_SCHEMA });
  recipe = sourceRecipe(config, [{ config: config.tables[0]!, label: 'bench.events', source: `${PG_SCHEMA}.events`, metadata }]);
});

after(async () => {
  await deleteTopics(services.kafkaBrokers, [TOPIC]);
  const db = new pg.Client({ connectionString: services.pgUrl });
  await db.connect();
  await db.query(`DROP SCHEMA IF EXISTS "${PG_SCHEMA}" CASCADE`);
  await db.end();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

interface Drained {
  readonly changes: Change[];
  readonly checkpoints: Map<string, CheckpointSummary>;
  readonly failure: unknown;
}

/** Reads `source` from the start until it fails (the bad record at the end) or 60 s pass; asks in small reads (`perRead` changes), like the runner under a commit. */
async function drain(source: ChangeSource, perRead = 500, onBatch: (b: Awaited<ReturnType<ChangeSource['next']>>) => void = () => {}): Promise<Drained> {
  const changes: Change[] = [];
  const checkpoints = new Map<string, CheckpointSummary>();
  await source.start([{ target: 'bench.events', source: `${PG_SCHEMA}.events`, lastCommitted: undefined, loadWatermark: undefined }]);
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      const b = await source.next(perRead, 300);
      onBatch(b);
      for (const c of b.changes) changes.push(c);
      for (const [k, v] of b.checkpoints) checkpoints.set(k, v);
      if (b.checkpoints.size > 0) await source.acknowledge(b.ack);
    }
    return { changes, checkpoints, failure: null };
  } catch (failure) {
    return { changes, checkpoints, failure };
  } finally {
    await source.close();
  }
}

test('the threaded source hands out what the in-thread source does, then its failure; events and logs reach the main thread', { timeout: 120_000 }, async () => {
  const inThread = await drain(await openSource(recipe, new EventBus(), silentLogger()));
  const events = new EventBus();
  const counted = new Map<string, number>();
  events.on('sync:event', (e) => counted.set(e.op, (counted.get(e.op) ?? 0) + (e.count ?? 1)));
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
  const threaded = await drain(new ThreadedChangeSource({ recipe, events, logger, chunkChanges: 256, aheadChanges: 1000 }));

  assert.ok(inThread.changes.length > 2000, `${inThread.changes.length} changes read`);
  assert.deepStrictEqual(threaded.changes, inThread.changes, 'same changes, same order, every field');
  assert.deepStrictEqual(threaded.checkpoints, inThread.checkpoints, 'same checkpoint after the last good record');
  // the bad record follows the generated ones: offset RECORDS, or RECORDS + 1 when the last event was a delete and its tombstone
  const badOffset = (d: Drained): number => {
    assert.ok(d.failure instanceof BadEventError, `BadEventError, got ${String(d.failure)}`);
    const m = new RegExp(`topic ${TOPIC.replace(/\./g, '\\.')} partition 0 offset (\\d+)`).exec(d.failure.message);
    assert.ok(m !== null, d.failure.message);
    return Number(m[1]);
  };
  assert.equal(badOffset(threaded), badOffset(inThread), 'both fail at the same record');
  assert.ok(badOffset(inThread) >= RECORDS && badOffset(inThread) <= RECORDS + 1, `bad record at offset ${badOffset(inThread)}`);
  const records = [...counted.values()].reduce((a, b) => a + b, 0);
  assert.ok(records >= RECORDS, `sync:event counts summed in the thread reach the main bus (${records} of ${RECORDS})`);
  assert.ok(lines.some((l) => /kafka source started/.test(l)), `the source's log line is replayed: ${lines.join('')}`);
});

test('every checkpoint carries the last source position, also one moved only by a tombstone', { timeout: 120_000 }, async () => {
  const whole = await drain(await openSource(recipe, new EventBus(), silentLogger()));
  let tombstoneOnly = 0;
  let lastPosition: string | undefined;
  const oneByOne = await drain(await openSource(recipe, new EventBus(), silentLogger()), 1, (b) => {
    const summary = b.checkpoints.get('bench.events');
    if (summary === undefined) return;
    if (b.changes.length === 0) tombstoneOnly++;
    else lastPosition = summary['floe.source.position'];
    assert.ok(summary['floe.source.position'] !== undefined, `a checkpoint without a source position: ${JSON.stringify(summary)}`);
    assert.equal(summary['floe.source.position'], lastPosition, 'the position of the last change read');
  });
  assert.ok(tombstoneOnly > 0, 'the generated stream has deletes, each followed by its tombstone');
  assert.deepStrictEqual(oneByOne.checkpoints, whole.checkpoints, 'the same last checkpoint whatever the read size');
});
