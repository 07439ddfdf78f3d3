/**
 * bench:kafka-source — CPU per record of `floe sync`'s source thread, in one thread: a topic
 * of N Debezium JSON events (with schemas, as bench:cdc) read three ways from offset 0:
 *   fetch   PartitionFetcher.poll only (Kafka fetch + @platformatic/kafka response parsing);
 *   decode  KafkaChangeSource.next (fetch + routing + Debezium decode + checkpoints);
 *   encode  next + encodeChanges of each batch (what source-worker.ts does per chunk);
 *   thread  the real source thread (ThreadedChangeSource, defaults): its CPU (the thread that
 *           used most besides this one) per record, the main thread only decoding the wire.
 * CPU is this thread's (/proc/thread-self/schedstat: V8's GC helpers and the broker excluded)
 * and the process's (process.cpuUsage: GC helpers included), in µs per record; each stage
 * runs `rounds` times and the best round is printed. The broker's CPU is printed too (fetch
 * sizing trades client CPU for broker requests), found by its command line. Last line:
 *   bench:kafka-source fetch_us=<n> decode_us=<n> encode_us=<n> source_thread_us=<n>
 *
 *   node --import tsx bench/kafka-source.ts [events=100000] [rounds=3] [chunk=4096]
 * FLOE_BENCH_FETCH='{"partitionMaxBytes":1048576}' overrides the fetcher's tuning (JSON);
 * FLOE_BENCH_PROFILE=<file> FLOE_BENCH_PROFILE_STAGE=fetch|decode|encode profiles one stage.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { KafkaChangeSourceOptions } from '../src/cdc/kafka/kafka-change-source.ts';
import { openKafkaSource } from '../src/cdc/kafka/open-kafka-source.ts';
import { PartitionFetcher } from '../src/cdc/kafka/partition-fetcher.ts';
import { buildConfig } from '../src/config/load-config.ts';
import { tuneYoungGeneration } from '../src/core/heap-tuning.ts';
import { silentLogger } from '../src/core/logger.ts';
import type { Schema } from '../src/iceberg/spec/types.ts';
import { newTableMetadata } from '../src/iceberg/table/metadata-updates.ts';
import { encodeChanges } from '../src/pipeline/sync/change-wire.ts';
import { sourceRecipe } from '../src/pipeline/sync/source-recipe.ts';
import { GatheringEventBus } from '../src/pipeline/sync/source-telemetry.ts';
import { ThreadedChangeSource } from '../src/pipeline/sync/threaded-source.ts';
import { EventBus } from '../src/core/events.ts';
import { profiled } from './support/cpu-profile.ts';
import { DebeziumEventGenerator, deleteTopics, fillTopic } from './support/debezium-events.ts';

const brokers = (process.env.FLOE_KAFKA_BROKERS ?? '').split(',').filter((b) => b !== '');
const PG_URL = process.env.FLOE_PG_URL ?? '';
if (brokers.length === 0 || PG_URL === '') throw new Error('FLOE_KAFKA_BROKERS / FLOE_PG_URL not set: scripts/services.sh start postgres kafka; source scripts/env.sh');
tuneYoungGeneration(); // the source thread runs with a large young generation too
const EVENTS = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const CHUNK = Number(process.argv[4] ?? 4096); // ThreadedChangeSource's default chunkChanges
const TUNING = JSON.parse(process.env.FLOE_BENCH_FETCH ?? '{}') as KafkaChangeSourceOptions['fetcher'];
/** With FLOE_BENCH_PROFILE set, the stage whose CPU profile is written (bench/support/cpu-profile.ts). */
const PROFILED_STAGE = process.env.FLOE_BENCH_PROFILE_STAGE ?? 'encode';
const PG_SCHEMA = 'floe_bench_kafka_source';
const SCHEMA: Schema = {
  schemaId: 0,
  identifierFieldIds: [1],
  fields: [
    { id: 1, name: 'id', required: true, type: { type: 'int' } },
    { id: 2, name: 'name', required: false, type: { type: 'string' } },
  ],
};

/** The local Kafka broker's pid (scripts/services.sh starts it with -Dfloe.service=kafka), or null. */
function brokerPid(): string | null {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('-Dfloe.service=kafka')) return pid;
    } catch {
      // gone meanwhile
    }
  }
  return null;
}
const BROKER = brokerPid();

interface Cpu {
  readonly thread: number;
  readonly process: number;
  /** The broker's CPU (shared with whoever else uses it: noisy), NaN when not found. */
  readonly broker: number;
  /** Records a second over the loop (wall time). */
  readonly rate?: number;
}

/** CPU time of this thread, this process and the broker, µs. */
function cpu(): Cpu {
  const thread = Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1000;
  const u = process.cpuUsage();
  // utime and stime, fields 14 and 15, in clock ticks (100 a second)
  const stat = BROKER === null ? [] : readFileSync(`/proc/${BROKER}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const broker = BROKER === null ? NaN : (Number(stat[11]) + Number(stat[12])) * 10_000;
  return { thread, process: u.user + u.system, broker };
}

/** CPU µs of each thread of this process by id. */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      out.set(tid, Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1000);
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/** The largest CPU µs any thread other than this one used between two `threadCpu` snapshots. */
function busiestOther(before: Map<string, number>, after: Map<string, number>): number {
  let most = 0;
  for (const [tid, us] of after) if (tid !== String(process.pid)) most = Math.max(most, us - (before.get(tid) ?? 0));
  return most;
}

/** Opens a reader, then measures CPU while `loop` reads every record (opening and closing excluded). */
async function measure(records: number, open: () => Promise<{ loop: () => Promise<void>; close: () => Promise<void> }>): Promise<Cpu> {
  const reader = await open();
  try {
    const t0 = cpu();
    const w0 = performance.now();
    await reader.loop();
    const rate = records / ((performance.now() - w0) / 1000);
    const t1 = cpu();
    return { thread: (t1.thread - t0.thread) / records, process: (t1.process - t0.process) / records, broker: (t1.broker - t0.broker) / records, rate };
  } finally {
    await reader.close();
  }
}

async function createSourceTable(): Promise<void> {
  const db = new pg.Client({ connectionString: PG_URL });
  await db.connect();
  try {
    await db.query(`DROP SCHEMA IF EXISTS "${PG_SCHEMA}" CASCADE`);
    await db.query(`CREATE SCHEMA "${PG_SCHEMA}"; CREATE TABLE "${PG_SCHEMA}".events (id int4 PRIMARY KEY, name text)`);
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-bench-kafka-source-'));
  const topic = `floe-bench-kafka-source-${Date.now()}`;
  try {
    await createSourceTable();
    const gen = new DebeziumEventGenerator(1_000_000, 'events');
    gen.fillKeySpace();
    const bytes = await fillTopic(brokers, topic, gen, EVENTS);
    console.log(`topic: ${EVENTS} records, ${(bytes / EVENTS).toFixed(0)} B each`);
    const config = await buildConfig({
      dataDir: dir,
      sources: { pg: { type: 'postgres', url: PG_URL } },
      tables: [{ source: `${PG_SCHEMA}.events`, target: 'bench.events', topic }],
      sync: { source: { type: 'kafka', brokers, groupId: 'floe-bench', clientId: 'floe-bench', topics: [topic] } },
    });
    const metadata = newTableMetadata({ location: `file://${dir}/warehouse/bench/events`, schema: SCHEMA });
    const tables = [{ config: config.tables[0]!, label: 'bench.events', source: `${PG_SCHEMA}.events`, metadata }];

    const fetchOnly = async () => {
      const f = await PartitionFetcher.open({ connect: { clientId: 'bench', bootstrapBrokers: brokers }, groupId: 'bench', topics: () => [topic], startOffset: () => undefined, ...TUNING });
      const loop = async (): Promise<void> => {
        for (let n = 0; n < EVENTS; ) n += (await f.poll(CHUNK, 200)).length;
      };
      return { loop, close: () => f.close() };
    };
    const viaSource = (encode: boolean) => async () => {
      const s = await openKafkaSource(config, tables, new GatheringEventBus(), silentLogger(), TUNING);
      await s.start([{ target: 'bench.events', source: `${PG_SCHEMA}.events`, lastCommitted: undefined, loadWatermark: undefined }]);
      const loop = async (): Promise<void> => {
        for (;;) {
          const b = await s.next(CHUNK, 200);
          if (encode) encodeChanges(b.changes);
          const next = (b.ack as Map<string, Map<number, bigint>>).get(topic)?.get(0) ?? 0n;
          if (next >= BigInt(EVENTS)) break;
        }
      };
      return { loop, close: () => s.close() };
    };
    const inThread = async () => {
      const s = new ThreadedChangeSource({ recipe: sourceRecipe(config, tables), events: new EventBus(), logger: silentLogger() });
      await s.start([{ target: 'bench.events', source: `${PG_SCHEMA}.events`, lastCommitted: undefined, loadWatermark: undefined }]);
      let before = threadCpu();
      const loop = async (): Promise<void> => {
        before = threadCpu();
        for (;;) {
          const b = await s.next(CHUNK, 200);
          const next = (b.ack as Map<string, Map<number, bigint>>).get(topic)?.get(0) ?? 0n;
          if (next >= BigInt(EVENTS)) break;
        }
        sourceThreadUs = busiestOther(before, threadCpu());
      };
      return { loop, close: () => s.close() };
    };
    let sourceThreadUs = NaN;
    const stages: [string, Parameters<typeof measure>[1]][] = [['fetch', fetchOnly], ['decode', viaSource(false)], ['encode', viaSource(true)], ['thread', inThread]];
    const best = new Map<string, Cpu>();
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [name, run] of stages) {
        let r = await (name === PROFILED_STAGE ? profiled(() => measure(EVENTS, run)) : measure(EVENTS, run));
        if (name === 'thread') r = { ...r, thread: sourceThreadUs / EVENTS };
        console.log(`round ${round + 1} ${name}: ${r.thread.toFixed(2)} µs/record thread CPU, ${r.process.toFixed(2)} process CPU, ${r.broker.toFixed(2)} broker CPU, ${(r.rate! / 1000).toFixed(0)} k records/s`);
        if ((best.get(name)?.thread ?? Infinity) > r.thread) best.set(name, r);
      }
    }
    const f = (name: string): string => best.get(name)!.thread.toFixed(2);
    console.log(`bench:kafka-source fetch_us=${f('fetch')} decode_us=${f('decode')} encode_us=${f('encode')} source_thread_us=${f('thread')} (thread CPU per record, best of ${ROUNDS}; ${EVENTS} records, chunks of ${CHUNK})`);
  } finally {
    await deleteTopics(brokers, [topic]);
    const db = new pg.Client({ connectionString: PG_URL });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS "${PG_SCHEMA}" CASCADE`).finally(() => db.end());
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
