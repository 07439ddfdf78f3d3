/**
 * The sync loop, source-agnostic: start the source from each table's checkpoint, gather
 * changes until the batch is full (count or bytes) or the commit interval has passed since its
 * first change, apply each table's share in ONE Iceberg commit carrying the source's checkpoint
 * in the snapshot summary, and only then acknowledge upstream. A crash anywhere leaves every
 * table at a commit whose summary says exactly where to resume: the table is the checkpoint.
 * An abort (SIGTERM) stops gathering, commits what was gathered, and returns.
 */
import type { Change } from '../../core/change.ts';
import type { Logger } from '../../core/logger.ts';
import { groupByTable, mergeCheckpoints } from './batch-plan.ts';
import type { ChangeSource, CheckpointSummary, TableCheckpoint } from './change-source.ts';

/** Applies one table's changes as one commit with `summary` in the snapshot summary. */
export interface TableSink {
  apply(changes: readonly Change[], summary: CheckpointSummary): Promise<{ readonly snapshotId: bigint | null }>;
}

export interface SyncRunnerOptions {
  readonly source: ChangeSource;
  /** Where every table stands, keyed into `sinks` by `target`. */
  readonly tables: readonly TableCheckpoint[];
  /** One sink per target table; changes are routed by `Change.table` (the source table). */
  readonly sinks: ReadonlyMap<string, TableSink>;
  readonly maxBatchChanges: number;
  readonly maxBatchBytes: number;
  readonly commitIntervalMs: number;
  readonly logger: Logger;
  /** Stops the loop: the batch being gathered is committed, then `runSync` returns. */
  readonly signal?: AbortSignal;
  /** Checked after every read: true ends the loop like an abort (e.g. every table stopped). */
  readonly stopWhen?: () => boolean;
  /** Return once nothing new arrived for this long and everything is committed (`floe sync --once`). */
  readonly idleExitMs?: number;
  /** Longest single wait on the source, so aborts are noticed promptly; default 250 ms. */
  readonly pollSliceMs?: number;
  /** Called after each batch is committed and acknowledged (tests, crash drills). */
  readonly onBatch?: (info: BatchInfo) => void | Promise<void>;
  readonly now?: () => number;
}

/** What one committed batch did. */
export interface BatchInfo {
  readonly changes: number;
  readonly tables: number;
  readonly bytes: number;
  readonly ms: number;
}

/** Why the loop ended and what it did. */
export interface SyncOutcome {
  readonly reason: 'signal' | 'idle' | 'stopped';
  readonly batches: number;
  readonly changes: number;
}

interface Gathered {
  changes: Change[];
  checkpoints: Map<string, CheckpointSummary>;
  ack: unknown;
  hasAck: boolean;
  bytes: number;
  /** True when the source reported anything (changes or moved checkpoints). */
  active: boolean;
}

/** Runs the loop until `signal` aborts or (with `idleExitMs`) the source is drained. */
export async function runSync(o: SyncRunnerOptions): Promise<SyncOutcome> {
  const now = o.now ?? Date.now;
  const slice = o.pollSliceMs ?? 250;
  const sourceToTarget = new Map(o.tables.map((t) => [t.source, t.target]));
  let batches = 0;
  let total = 0;
  let lastActivity = now();
  await o.source.start(o.tables);
  try {
    for (;;) {
      const g: Gathered = { changes: [], checkpoints: new Map(), ack: undefined, hasAck: false, bytes: 0, active: false };
      let firstAt: number | null = null;
      let failure: unknown = null;
      for (;;) {
        const left = o.maxBatchChanges - g.changes.length;
        const wait = firstAt === null ? slice : Math.max(0, Math.min(slice, firstAt + o.commitIntervalMs - now()));
        let b;
        try {
          b = await o.source.next(left, wait);
        } catch (error) {
          // What was gathered is whole and consistent: commit it, then fail (e.g. a bad event under `fail`).
          failure = error;
          break;
        }
        g.changes.push(...b.changes);
        mergeCheckpoints(g.checkpoints, b.checkpoints);
        if (b.checkpoints.size > 0 || b.changes.length > 0) {
          g.ack = b.ack;
          g.hasAck = true;
          g.active = true;
          lastActivity = now();
        }
        g.bytes += b.bytes ?? 0;
        if (firstAt === null && g.checkpoints.size > 0) firstAt = now();
        const full = g.changes.length >= o.maxBatchChanges || g.bytes >= o.maxBatchBytes;
        const due = firstAt !== null && now() >= firstAt + o.commitIntervalMs;
        const idle = o.idleExitMs !== undefined && now() - lastActivity >= o.idleExitMs;
        if (full || due || idle || o.signal?.aborted || o.stopWhen?.()) break;
      }
      if (g.hasAck) {
        const started = now();
        const tables = await commitGathered(g, sourceToTarget, o.sinks);
        await o.source.acknowledge(g.ack);
        batches += 1;
        total += g.changes.length;
        const info = { changes: g.changes.length, tables, bytes: g.bytes, ms: now() - started };
        o.logger.debug(info, 'batch committed');
        await o.onBatch?.(info);
      }
      if (failure !== null) throw failure;
      if (o.signal?.aborted) return { reason: 'signal', batches, changes: total };
      if (o.stopWhen?.()) return { reason: 'stopped', batches, changes: total };
      if (o.idleExitMs !== undefined && !g.active && now() - lastActivity >= o.idleExitMs) return { reason: 'idle', batches, changes: total };
    }
  } finally {
    await o.source.close();
  }
}

/** Commits each table's changes of the batch, one commit per table; returns how many committed. */
async function commitGathered(g: Gathered, sourceToTarget: ReadonlyMap<string, string>, sinks: ReadonlyMap<string, TableSink>): Promise<number> {
  const byTarget = groupByTable(g.changes, sourceToTarget);
  let committed = 0;
  for (const [target, changes] of byTarget) {
    const summary = g.checkpoints.get(target);
    const sink = sinks.get(target);
    if (sink === undefined) throw new Error(`sync: no table sink for ${target}`);
    if (summary === undefined) throw new Error(`sync: source gave changes for ${target} without a checkpoint`);
    await sink.apply(changes, summary);
    committed += 1;
  }
  return committed;
}
