/**
 * bench:cdc — floe sync from Debezium on Kafka against the limit: the same client reading the
 * same topic without applying. In one run:
 *   1. a 1 M-row Iceberg table (id int key, name string) and a topic of N Debezium events
 *      (JSON with schemas, format of the recorded fixtures): 70 % updates / 30 % deletes of
 *      live keys, creates of absent ones, tombstones after deletes;
 *   2. consume: floe's PartitionFetcher reads the whole topic, twice; the faster pass is the
 *      reference (records/s; it varies ±25 % run to run with the broker on the same 2 cores);
 *   3. apply: the real path (`floe sync`'s source thread: Kafka fetch + Debezium decoder, then the sync runner
 *      + applier on the main thread; FLOE_BENCH_INPROCESS=1 keeps the source on the main thread), config
 *      defaults: 50 k changes or 5 s per batch) from offset 0 until the last snapshot is committed.
 *      1.2 M events (~20 batches) by default: a run of a few batches measures mostly the start-up
 *      of the fresh source and index threads (their code not yet optimized by V8), not the
 *      sustained rate a sync runs at (300 k events: 70–86 k/s; 1.2 M: 100–106 k/s);
 *   4. freshness: events produced at a steady rate while sync runs; per event, Iceberg commit
 *      time − source ts_ms; p50/p99;
 *   5. merge: bench/apply-merge.ts (10 k-change batch into a 1 M- and a 20 M-row table).
 * Last line:
 *   bench:cdc ratio=<apply/consume> apply_events_per_s=<n> consume_events_per_s=<n> p99_freshness_ms=<n> merge_20m_over_1m=<x>
 *
 *   node --import tsx bench/cdc.ts [events=1200000] [freshness_rate=2000] [merge_large_rows=20000000]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Producer } from '@platformatic/kafka';
import pg from 'pg';
import { SqlCatalog } from '../src/catalog/sql/sql-catalog.ts';
import { SqliteDriver } from '../src/catalog/sql/sqlite-driver.ts';
import type { Catalog } from '../src/catalog/catalog.ts';
import { openTableApplier, type TableApplier } from '../src/cdc/apply/apply-batch.ts';
import { PartitionFetcher } from '../src/cdc/kafka/partition-fetcher.ts';
import { buildConfig } from '../src/config/load-config.ts';
import type { Config } from '../src/config/types.ts';
import { EventBus } from '../src/core/events.ts';
import { tuneYoungGeneration } from '../src/core/heap-tuning.ts';
import { silentLogger } from '../src/core/logger.ts';
import { LocalFileIO } from '../src/io/local-file-io.ts';
import type { TableIdentifier, TableMetadata } from '../src/iceberg/spec/types.ts';
import { commitChange } from '../src/iceberg/table/snapshot-producer.ts';
import { tableDataWriter } from '../src/iceberg/table/table-writer.ts';
import type { ChangeSource } from '../src/pipeline/sync/change-source.ts';
import { openSource, sourceRecipe } from '../src/pipeline/sync/source-recipe.ts';
import { runSync, type TableSink } from '../src/pipeline/sync/sync-runner.ts';
import { ThreadedChangeSource } from '../src/pipeline/sync/threaded-source.ts';
import { countCpu, perRecord } from './support/cpu-budget.ts';
import { profiled } from './support/cpu-profile.ts';
import { createTopic, DebeziumEventGenerator, deleteTopics, EVENTS_TABLE_SCHEMA, fillTopic } from './support/debezium-events.ts';

const brokers = (process.env.FLOE_KAFKA_BROKERS ?? '').split(',').filter((b) => b !== '');
if (brokers.length === 0) throw new Error('FLOE_KAFKA_BROKERS is not set: scripts/services.sh start kafka; source scripts/env.sh');
tuneYoungGeneration(); // as floe sync does
const EVENTS = Number(process.argv[2] ?? 1_200_000);
const FRESH_RATE = Number(process.argv[3] ?? 2000);
const MERGE_LARGE = process.argv[4] ?? '20000000';
const ROWS = 1_000_000;
const FRESH_SECONDS = 20;
const ID: TableIdentifier = { namespace: ['bench'], name: 'events' };
const SOURCE = { type: 'kafka', brokers, groupId: 'floe-bench', clientId: 'floe-bench' };
const PG_URL = process.env.FLOE_PG_URL ?? '';
if (PG_URL === '') throw new Error('FLOE_PG_URL is not set: scripts/services.sh start postgres kafka; source scripts/env.sh');
/** The PostgreSQL schema holding the (empty) source table the config names. */
const PG_SCHEMA = 'floe_bench_cdc';

/** Writes ids 1..ROWS as one append. */
async function fillTable(catalog: Catalog, io: LocalFileIO): Promise<void> {
  const table = await catalog.createTable(ID, { schema: EVENTS_TABLE_SCHEMA });
  const writer = tableDataWriter(io, table.metadata);
  for (let from = 1; from <= ROWS; from += 100_000) {
    const ids = Array.from({ length: 100_000 }, (_, i) => from + i);
    await writer.write({ numRows: ids.length, columns: [ids, ids.map((id) => `name ${id} initial`)] });
  }
  await commitChange(catalog, io, ID, { addedFiles: await writer.complete() });
}

async function consumeRate(topic: string, count: number): Promise<number> {
  const f = await PartitionFetcher.open({ connect: { clientId: 'bench', bootstrapBrokers: brokers }, groupId: 'bench', topics: () => [topic], startOffset: () => undefined });
  const t0 = performance.now();
  let n = 0;
  try {
    while (n < count) n += (await f.poll(50_000, 1000)).length;
  } finally {
    await f.close();
  }
  return count / ((performance.now() - t0) / 1000);
}

/** One table commit of a run: changes, ms inside the applier, when it ended, records covered so far. */
interface Commit {
  readonly changes: number;
  readonly ms: number;
  readonly at: number;
  readonly records: number;
  readonly phases: string;
}

/** The sync config of `topic` (the table's source is an empty PostgreSQL table, for the connector's column hints). */
async function syncConfig(topic: string, dir: string): Promise<Config> {
  return buildConfig({
    dataDir: dir,
    sources: { pg: { type: 'postgres', url: PG_URL } },
    tables: [{ source: `${PG_SCHEMA}.events`, target: 'bench.events', topic }],
    sync: { maxBatchChanges: 50_000, commitIntervalMs: 5000, source: { ...SOURCE, topics: [topic] } },
  });
}

/** The empty PostgreSQL table the Debezium events stand for (the config names it; floe reads its column types). */
async function createSourceTable(): Promise<void> {
  const db = new pg.Client({ connectionString: PG_URL });
  await db.connect();
  try {
    await db.query(`DROP SCHEMA IF EXISTS "${PG_SCHEMA}" CASCADE`);
    await db.query(`CREATE SCHEMA "${PG_SCHEMA}"`);
    await db.query(`CREATE TABLE "${PG_SCHEMA}".events (id int4 PRIMARY KEY, name text)`);
  } finally {
    await db.end();
  }
}

/** Runs the real sync path on `topic` until `stopAfter` records are committed; freshness per change. */
async function runApply(applier: TableApplier, metadata: TableMetadata, topic: string, dir: string, stopAfter: () => number): Promise<{ freshness: number[]; lastCommitAt: number; changes: number; commits: Commit[]; inNext: number; firstChangeAt: number }> {
  const config = await syncConfig(topic, dir);
  const recipe = sourceRecipe(config, [{ config: config.tables[0]!, label: 'bench.events', source: `${PG_SCHEMA}.events`, metadata }]);
  // FLOE_BENCH_INPROCESS=1: the source on the main thread, as before the source thread (for comparison)
  const source: ChangeSource =
    process.env.FLOE_BENCH_INPROCESS === '1' ? await openSource(recipe, new EventBus(), silentLogger()) : new ThreadedChangeSource({ recipe, events: new EventBus(), logger: silentLogger() });
  const freshness: number[] = [];
  const commits: Commit[] = [];
  let lastCommitAt = 0;
  let committed = 0;
  const sink: TableSink = {
    apply: async (changes, summary) => {
      const started = performance.now();
      const r = await applier.apply(changes, { summary });
      const ms = performance.now() - started;
      lastCommitAt = performance.now();
      const now = Date.now();
      for (const c of changes) if (c.commitTimeMs !== undefined) freshness.push(now - c.commitTimeMs);
      committed = Number((JSON.parse(summary['floe.kafka.offsets']!) as Record<string, Record<string, string>>)[topic]!['0']);
      commits.push({ changes: changes.length, ms, at: lastCommitAt, records: committed, phases: Object.entries(r.phases).map(([k, v]) => `${k[0]}${v.toFixed(0)}`).join(',') });
      return { snapshotId: r.snapshot?.snapshotId ?? null };
    },
  };
  let inNext = 0;
  let firstChangeAt = 0;
  const timed: ChangeSource = {
    name: source.name,
    next: async (max, wait) => {
      const t = performance.now();
      try {
        const b = await source.next(max, wait);
        if (firstChangeAt === 0 && b.changes.length > 0) firstChangeAt = performance.now();
        return b;
      } finally {
        inNext += performance.now() - t;
      }
    },
    start: (t) => source.start(t),
    acknowledge: (a) => source.acknowledge(a),
    close: () => source.close(),
  };
  const out = await runSync({
    source: timed,
    tables: [{ target: 'bench.events', source: `${PG_SCHEMA}.events`, lastCommitted: undefined, loadWatermark: undefined }],
    sinks: new Map([['bench.events', sink]]),
    maxBatchChanges: 50_000,
    maxBatchBytes: 128 << 20,
    commitIntervalMs: 5000,
    logger: silentLogger(),
    // Stop once every record is committed; tombstones at the tail never commit, so allow a final one.
    stopWhen: () => committed >= stopAfter() - 1,
  });
  return { freshness, lastCommitAt, changes: out.changes, commits, inNext, firstChangeAt };
}

/** Produces events at `rate`/s for `seconds` with ts_ms = send time; resolves with the record count. */
async function produceSteady(topic: string, gen: DebeziumEventGenerator, rate: number, seconds: number, made: { n: number }): Promise<void> {
  const producer = new Producer({ clientId: 'floe-bench', bootstrapBrokers: brokers });
  const t0 = performance.now();
  let events = 0;
  try {
    for (let tick = 1; tick <= seconds * 20; tick += 1) {
      const messages = [];
      while (events < (rate * tick) / 20) {
        events += 1;
        for (const e of gen.next(Date.now())) messages.push({ topic, partition: 0, key: Buffer.from(e.key), ...(e.value === null ? {} : { value: Buffer.from(e.value) }) });
      }
      if (messages.length > 0) await producer.send({ messages });
      made.n += messages.length;
      const wait = t0 + (tick * 1000) / 20 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  } finally {
    await producer.close();
  }
}

const percentile = (xs: readonly number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

/** bench/apply-merge.ts's result line (10 k-change batch into 1 M and `large` rows). */
async function mergeRatio(large: string): Promise<{ line: string; ratio: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', new URL('./apply-merge.ts', import.meta.url).pathname, '1000000', large], { maxBuffer: 1 << 24 });
  const lines = stdout.trim().split('\n');
  const last = lines[lines.length - 1]!;
  // the worse of the two mechanisms (key cache holding both tables; SQLite index only)
  const ratio = Math.max(Number(/ merge_20m_over_1m=([\d.]+)/.exec(last)?.[1] ?? NaN), Number(/uncached_merge_20m_over_1m=([\d.]+)/.exec(last)?.[1] ?? NaN));
  return { line: lines.join('\n'), ratio };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-bench-cdc-'));
  const io = new LocalFileIO();
  const catalog = await SqlCatalog.open({ name: 'bench', driver: new SqliteDriver(join(dir, 'catalog.db')), warehouse: `file://${join(dir, 'warehouse')}`, io });
  const topic = `floe-bench-cdc-${Date.now()}`;
  const freshTopic = `${topic}-fresh`;
  let applier: TableApplier | undefined;
  try {
    await createSourceTable();
    await catalog.createNamespace(['bench']);
    let t0 = performance.now();
    await fillTable(catalog, io);
    applier = await openTableApplier({ catalog, io, id: ID, indexPath: join(dir, 'index.sqlite') });
    const { metadata } = await catalog.loadTable(ID);
    console.log(`table: ${ROWS} rows written and indexed in ${((performance.now() - t0) / 1000).toFixed(1)} s (index ${applier.opened.mode})`);
    const gen = new DebeziumEventGenerator(ROWS, 'events');
    gen.fillKeySpace();
    t0 = performance.now();
    const bytes = await fillTopic(brokers, topic, gen, EVENTS);
    console.log(`topic: ${EVENTS} records (${(bytes / 1e6).toFixed(0)} MB, ${(bytes / EVENTS).toFixed(0)} B each) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const consumeCpu = countCpu();
    const passes = [await consumeRate(topic, EVENTS), await consumeRate(topic, EVENTS)];
    const consumeSpent = perRecord(consumeCpu(), 2 * EVENTS);
    const consume = Math.max(...passes);
    console.log(`consume: ${consume.toFixed(0)} records/s, the faster of ${passes.map((p) => p.toFixed(0)).join(' and ')} (PartitionFetcher, same client as sync)`);

    t0 = performance.now();
    const applyCpu = countCpu();
    const run = await profiled(() => runApply(applier!, metadata, topic, dir, () => EVENTS));
    const applySpent = perRecord(applyCpu(), EVENTS);
    // Sustained rate from the first change handed out (the consume rate, too, is timed from an
    // open fetcher) to the last batch closed by size (changes or bytes). The tail batch closes
    // only when the commit interval runs out (nothing more arrives): that measures the interval.
    const startup = run.firstChangeAt - t0;
    const full = run.commits.length > 1 ? run.commits.slice(0, -1) : run.commits;
    const upTo = full[full.length - 1]!;
    const apply = upTo.records / ((upTo.at - run.firstChangeAt) / 1000);
    const backlog = EVENTS / ((run.lastCommitAt - run.firstChangeAt) / 1000);
    const inApply = run.commits.reduce((a, c) => a + c.ms, 0);
    console.log(
      `apply: ${apply.toFixed(0)} records/s to committed snapshots over the first ${full.length} batches; whole backlog incl. the last commit interval ${backlog.toFixed(0)}/s; ` +
        `source start-up (thread, Kafka and PostgreSQL connections) ${startup.toFixed(0)} ms before the first change ` +
        `(${run.changes} changes, ${((run.lastCommitAt - t0) / 1000).toFixed(1)} s, of which ${(run.inNext / 1000).toFixed(1)} s reading+decoding, ` +
        `${(inApply / 1000).toFixed(1)} s in ${run.commits.length} table commits overlapping the reads; phases l=locate w=write c=commit i=index ms: [${run.commits.map((c) => `${c.changes}/${c.ms.toFixed(0)}ms(${c.phases})`).join(' ')}])`,
    );

    // The CPU budget: what apply and consume cost per record, all threads and the broker, and
    // the apply rate this machine's cores would allow if never idle (docs/cdc.md, bench:cdc).
    console.log(
      `cpu: apply ${applySpent.text}, consume ${consumeSpent.text}; at that cost the cores allow apply at most ` +
        `${applySpent.ceilingPerS.toFixed(0)} records/s, ratio ${(applySpent.ceilingPerS / consume).toFixed(2)} against this consume rate`,
    );

    await createTopic(brokers, freshTopic);
    const made = { n: 0 };
    let producing = true;
    const producer = produceSteady(freshTopic, gen, FRESH_RATE, FRESH_SECONDS, made).finally(() => (producing = false));
    const fresh = await runApply(applier, metadata, freshTopic, dir, () => (producing ? Number.MAX_SAFE_INTEGER : made.n));
    await producer;
    const p50 = percentile(fresh.freshness, 50);
    const p99 = percentile(fresh.freshness, 99);
    console.log(`freshness at ${FRESH_RATE} events/s for ${FRESH_SECONDS} s, commitIntervalMs 5000: p50 ${p50} ms, p99 ${p99} ms over ${fresh.freshness.length} changes`);

    await applier.close();
    applier = undefined;
    const merge = await mergeRatio(MERGE_LARGE);
    console.log(merge.line);
    console.log(
      `bench:cdc ratio=${(apply / consume).toFixed(2)} apply_events_per_s=${apply.toFixed(0)} consume_events_per_s=${consume.toFixed(0)} p99_freshness_ms=${p99} merge_20m_over_1m=${merge.ratio.toFixed(2)}`,
    );
  } finally {
    await applier?.close();
    await catalog.close();
    await deleteTopics(brokers, [topic, freshTopic]);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
