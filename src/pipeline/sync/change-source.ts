/**
 * A change source as the sync runner sees it: Debezium on Kafka, PostgreSQL logical
 * replication, Oracle later. The runner asks where each table stands (from the Iceberg table,
 * the checkpoint of record), reads changes from there, applies them in batches with one
 * Iceberg commit per table per batch carrying the source's checkpoint in the snapshot summary,
 * and only then lets the source acknowledge upstream (Kafka offset commit for lag monitoring,
 * replication slot confirm): never ahead of a durable commit.
 */
import type { Change } from '../../core/change.ts';

/** Summary keys a source stores with each commit, e.g. `floe.kafka.offsets`, `floe.source.lsn`. */
export type CheckpointSummary = Readonly<Record<string, string>>;

/** What the runner knows of one target table when the source starts. */
export interface TableCheckpoint {
  /** Target table, `namespace.table`. */
  readonly target: string;
  /** Source table, `schema.table`. */
  readonly source: string;
  /** The newest snapshot summary holding this source's keys (undefined: never synced). */
  readonly lastCommitted: CheckpointSummary | undefined;
  /** The load snapshot summary (watermark `floe.source.lsn`, `floe.source.pg-snapshot`), if loaded. */
  readonly loadWatermark: CheckpointSummary | undefined;
}

/** A run of changes, in source order, with what to commit alongside them. */
export interface SourceBatch {
  readonly changes: readonly Change[];
  /**
   * The checkpoint summary to store, per target table, once every change up to here is
   * committed (e.g. the next Kafka offsets of the table's topic partitions).
   */
  readonly checkpoints: ReadonlyMap<string, CheckpointSummary>;
  /** Opaque acknowledgement token for `acknowledge` (e.g. offsets, an LSN). */
  readonly ack: unknown;
  /**
   * Raw size of what the batch was read from (event bytes), when the source knows it: the
   * runner commits early past `sync.maxBatchMiB`. Optional; absent counts as 0.
   */
  readonly bytes?: number;
}

export interface ChangeSource {
  readonly name: string;
  /** Starts reading after each table's checkpoint; batches are at most `maxChanges` long. */
  start(tables: readonly TableCheckpoint[]): Promise<void>;
  /**
   * The next batch, waiting at most `maxWaitMs`; an empty batch when nothing arrived.
   * Rejects with BadEventError only under the `fail` policy (the runner handles the others).
   */
  next(maxChanges: number, maxWaitMs: number): Promise<SourceBatch>;
  /** Called after the batches up to `ack` are durably committed in Iceberg. */
  acknowledge(ack: unknown): Promise<void>;
  /** Stops reading and releases connections. */
  close(): Promise<void>;
}
