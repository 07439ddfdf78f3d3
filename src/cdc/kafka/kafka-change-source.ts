/**
 * Debezium change events on Kafka as a ChangeSource. Each topic feeds one configured table;
 * each table resumes from the offsets in its own Iceberg snapshot summary (`floe.kafka.offsets`),
 * never from Kafka's committed offsets, and skips what it already holds: records below its
 * offsets, and changes already in a `floe load` (the load watermark rule of checkpoint.ts).
 * Bad events follow `sync.badEvents`; under `fail` the changes before the bad record are still
 * handed out (and committed) and the next call rejects, naming topic, partition and offset.
 */
import type { Change, SourcePosition } from '../../core/change.ts';
import { BadEventError } from '../../core/errors.ts';
import type { EventBus } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';
import type { KafkaSyncSourceConfig } from '../../config/types.ts';
import type { ChangeSource, CheckpointSummary, SourceBatch, TableCheckpoint } from '../../pipeline/sync/change-source.ts';
import { parseLsn } from '../../core/lsn.ts';
import {
  alreadyLoaded,
  checkpointSummary,
  decodeOffsets,
  decodePosition,
  KAFKA_OFFSETS_KEY,
  parsePgSnapshot,
  PG_SNAPSHOT_KEY,
  SOURCE_LSN_KEY,
  SOURCE_POSITION_KEY,
  SOURCE_SCN_KEY,
  type LoadWatermark,
} from '../apply/checkpoint.ts';
import { kafkaConnectOptions } from './client-options.ts';
import { DeadLetterFiles } from './dead-letter.ts';
import { PartitionFetcher, type FetchedRecord, type FetcherOptions } from './partition-fetcher.ts';
import { topicsToRead } from './topic-routing.ts';

/** Decodes one record of a table's topic: a Change, or null for records that change nothing (tombstones, heartbeats, logical messages). */
export type RecordDecoder = (record: FetchedRecord) => Change | null;

/** A table this source feeds. */
export interface KafkaSourceTable {
  /** Target `namespace.table` (the checkpoint key). */
  readonly target: string;
  readonly topic: string;
  readonly decode: RecordDecoder;
  /** True for an error that must stop this table (e.g. an unknown column) instead of a bad-event policy. */
  readonly stopsTable?: (error: unknown) => boolean;
}

export interface KafkaChangeSourceOptions {
  readonly config: KafkaSyncSourceConfig;
  readonly tables: readonly KafkaSourceTable[];
  readonly badEvents: 'fail' | 'skip' | 'dead-letter';
  readonly deadLetterDir: string;
  readonly events: EventBus;
  readonly logger: Logger;
  /** Overrides of the fetcher's tuning (tests, benchmarks). */
  readonly fetcher?: Partial<Pick<FetcherOptions, 'maxWaitMs' | 'maxBytes' | 'partitionMaxBytes' | 'bufferBytes' | 'refreshMs'>>;
}

type Offsets = Map<string, Map<number, bigint>>;

interface TableState {
  readonly table: KafkaSourceTable;
  /** Offsets in the table's newest sync commit: records below are already applied. */
  readonly from: Offsets;
  /** Next offsets after what this source handed out (starts equal to `from`). */
  readonly next: Offsets;
  readonly watermark: LoadWatermark | null;
  /** Source position of the last change handed out (or of the newest sync commit): every checkpoint carries it, also one moved only by tombstones or skipped records. */
  position: SourcePosition | null;
  stopped: Error | null;
}

/** An LSN from a summary; a malformed one is a bad checkpoint, named. */
function summaryLsn(text: string): bigint {
  try {
    return parseLsn(text);
  } catch (error) {
    throw new BadEventError(`${SOURCE_LSN_KEY}: not an LSN: '${text}'`, { cause: error });
  }
}

/** The load watermark stored in a load commit's summary, or null. */
export function watermarkFromSummary(summary: CheckpointSummary | undefined): LoadWatermark | null {
  if (summary === undefined) return null;
  const pg = summary[PG_SNAPSHOT_KEY];
  const lsn = summary[SOURCE_LSN_KEY];
  const scn = summary[SOURCE_SCN_KEY];
  if (pg === undefined && lsn === undefined && scn === undefined) return null;
  return {
    snapshotId: 0n,
    ...(pg === undefined ? {} : { pgSnapshot: parsePgSnapshot(pg) }),
    ...(lsn === undefined ? {} : { lsn: summaryLsn(lsn) }),
    ...(scn === undefined ? {} : { scn: BigInt(scn) }),
  };
}

/** The last of `changes` read from `topic`. */
function lastFrom(changes: readonly Change[], topic: string): Change | undefined {
  for (let i = changes.length - 1; i >= 0; i--) if (changes[i]!.origin?.topic === topic) return changes[i];
  return undefined;
}

const copy = (o: Offsets): Offsets => new Map([...o].map(([t, m]) => [t, new Map(m)]));

/** See the file comment. */
export class KafkaChangeSource implements ChangeSource {
  readonly name = 'kafka';
  readonly #o: KafkaChangeSourceOptions;
  readonly #byTopic = new Map<string, TableState>();
  readonly #deadLetters: DeadLetterFiles;
  #fetcher: PartitionFetcher | null = null;
  #pendingError: Error | null = null;

  constructor(options: KafkaChangeSourceOptions) {
    this.#o = options;
    this.#deadLetters = new DeadLetterFiles(options.deadLetterDir);
  }

  /** Tables stopped by an error that needs a person (unknown column), with that error. */
  stoppedTables(): Map<string, Error> {
    return new Map([...this.#byTopic.values()].filter((s) => s.stopped !== null).map((s) => [s.table.target, s.stopped!]));
  }

  async start(checkpoints: readonly TableCheckpoint[]): Promise<void> {
    const byTarget = new Map(checkpoints.map((c) => [c.target, c]));
    for (const table of this.#o.tables) {
      const cp = byTarget.get(table.target);
      const stored = cp?.lastCommitted?.[KAFKA_OFFSETS_KEY];
      const from: Offsets = stored === undefined ? new Map() : copy(decodeOffsets(stored) as Offsets);
      const position = cp?.lastCommitted?.[SOURCE_POSITION_KEY];
      this.#byTopic.set(table.topic, {
        table,
        from,
        next: copy(from),
        watermark: watermarkFromSummary(cp?.loadWatermark),
        position: position === undefined ? null : decodePosition(position),
        stopped: null,
      });
    }
    const tableTopics = new Set(this.#byTopic.keys());
    this.#fetcher = await PartitionFetcher.open({
      connect: kafkaConnectOptions(this.#o.config),
      groupId: this.#o.config.groupId,
      topics: (existing) => topicsToRead(this.#o.config, tableTopics, existing),
      startOffset: (topic, partition) => this.#byTopic.get(topic)?.from.get(topic)?.get(partition),
      onLag: (topic, partition, lag) => this.#o.events.emit('sync:lag', { topic, partition, lag }),
      ...this.#o.fetcher,
    });
    this.#o.logger.info({ tables: this.#o.tables.map((t) => `${t.target} <- ${t.topic}`) }, 'kafka source started');
  }

  async next(maxChanges: number, maxWaitMs: number): Promise<SourceBatch> {
    if (this.#pendingError) throw this.#pendingError;
    const fetcher = this.#fetcher;
    if (fetcher === null) throw new Error('kafka source: next() before start()');
    const records = await fetcher.poll(maxChanges, maxWaitMs);
    const changes: Change[] = [];
    const touched = new Set<TableState>();
    let bytes = 0;
    // Records come in runs of one partition: its table and start offset are looked up once a
    // run, and its next offset is set once, from the last record of the run that moves it.
    let run: FetchedRecord | null = null;
    let state: TableState | undefined;
    let from = 0n;
    let moved: FetchedRecord | null = null;
    try {
      for (const r of records) {
        bytes += r.size;
        if (run === null || r.partition !== run.partition || r.topic !== run.topic) {
          if (moved !== null) this.#advance(state!, moved, touched);
          moved = null;
          run = r;
          state = this.#byTopic.get(r.topic);
          from = state?.from.get(r.topic)?.get(r.partition) ?? 0n;
        }
        if (state === undefined) {
          if (!(await this.#bad(r, null, 'unknown table: the topic maps to no configured table'))) break;
          continue;
        }
        if (state.stopped !== null) continue;
        if (r.offset < from) continue;
        let change: Change | null;
        try {
          change = state.table.decode(r);
        } catch (error) {
          if (state.table.stopsTable?.(error)) {
            state.stopped = error as Error;
            this.#o.logger.error({ table: state.table.target, topic: r.topic, partition: r.partition, offset: r.offset.toString(), error: (error as Error).message }, 'table stopped');
            continue;
          }
          if (!(error instanceof BadEventError)) throw error;
          if (!(await this.#bad(r, state, error.message))) break;
          moved = r;
          continue;
        }
        moved = r;
        if (change === null) continue;
        if (state.watermark !== null && change.op !== 'truncate' && alreadyLoaded(change.position, state.watermark)) continue;
        changes.push(change);
      }
    } finally {
      if (moved !== null) this.#advance(state!, moved, touched);
    }
    await this.#deadLetters.flush();
    const checkpoints = new Map<string, CheckpointSummary>();
    for (const s of touched) {
      s.position = lastFrom(changes, s.table.topic)?.position ?? s.position;
      checkpoints.set(s.table.target, checkpointSummary(s.next, s.position));
    }
    return { changes, checkpoints, ack: fetcher.positions(), bytes };
  }

  async acknowledge(ack: unknown): Promise<void> {
    try {
      await this.#fetcher?.commit(ack as Offsets);
    } catch (error) {
      // Kafka's offsets only feed lag monitoring: a failed commit must not stop the sync.
      this.#o.logger.warn({ error: (error as Error).message }, 'kafka offset commit (lag monitoring only) failed');
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#fetcher?.close(), this.#deadLetters.close()]);
    this.#fetcher = null;
  }

  /** Moves the table's next offset of `r`'s partition past `r`. */
  #advance(state: TableState, r: FetchedRecord, touched: Set<TableState>): void {
    const m = state.next.get(r.topic) ?? new Map<number, bigint>();
    m.set(r.partition, r.offset + 1n);
    state.next.set(r.topic, m);
    touched.add(state);
  }

  /** Applies the bad-event policy; false under `fail` (stop reading this batch; the next call rejects). */
  async #bad(r: FetchedRecord, state: TableState | null, reason: string): Promise<boolean> {
    const policy = this.#o.badEvents;
    const table = state?.table.target ?? null;
    this.#o.events.emit('sync:bad-event', { table, reason, policy });
    const where = `topic ${r.topic} partition ${r.partition} offset ${r.offset}`;
    if (policy === 'fail') {
      this.#pendingError = new BadEventError(`bad event at ${where}${table === null ? '' : ` (table ${table})`}: ${reason}; set sync.badEvents to skip or dead-letter to go on`);
      return false;
    }
    if (policy === 'dead-letter') await this.#deadLetters.write({ topic: r.topic, partition: r.partition, offset: r.offset, table, reason, key: r.key, value: r.value });
    this.#o.logger.warn({ table, topic: r.topic, partition: r.partition, offset: r.offset.toString(), reason, policy }, 'bad event');
    return true;
  }
}
