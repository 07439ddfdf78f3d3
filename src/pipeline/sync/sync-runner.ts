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
  /** Gather the next batch while one commits (default true); false: strictly one batch at a time. */
  readonly overlapCommits?: boolean;
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

/** Changes asked of the source per read while a commit is in flight, so the commit's continuations are not held up long. */
const READ_CHUNK_WHILE_COMMITTING = 4096;

/**
 * Runs the loop until `signal` aborts or (with `idleExitMs`) the source is drained. Batch N+1
 * is gathered while batch N commits (one commit in flight): the event loop decodes during the
 * commit's file and catalog I/O. Commits and acknowledgements stay in batch order, a batch is
 * acknowledged only after its own commit, and a failed commit ends the loop before the batch
 * gathered behind it is committed, so exactly-once is unchanged.
 */
export async function runSync(o: SyncRunnerOptions): Promise<SyncOutcome> {
  const now = o.now ?? Date.now;
  const slice = o.pollSliceMs ?? 250;
  const sourceToTarget = new Map(o.tables.map((t) => [t.source, t.target]));
  let batches = 0;
  let total = 0;
  let lastActivity = now();
  let inFlight: Promise<void> | null = null;
  let commitFailed = false;

  /** Commits `g`, acknowledges it, reports it; sets `commitFailed` on failure (the caller awaits and rethrows). */
  const commit = async (g: Gathered): Promise<void> => {
    try {
      const started = now();
      const tables = await commitGathered(g, sourceToTarget, o.sinks);
      await o.source.acknowledge(g.ack);
      batches += 1;
      total += g.changes.length;
      const info = { changes: g.changes.length, tables, bytes: g.bytes, ms: now() - started };
      o.logger.debug(info, 'batch committed');
      await o.onBatch?.(info);
    } catch (error) {
      commitFailed = true;
      throw error;
    }
  };

  /** Reads one batch: until full, due, idle, stopped or a read fails (returned as `failure`). */
  const gather = async (): Promise<{ g: Gathered; failure: unknown }> => {
    const g: Gathered = { changes: [], checkpoints: new Map(), ack: undefined, hasAck: false, bytes: 0, active: false };
    let firstAt: number | null = null;
    for (;;) {
      const left = o.maxBatchChanges - g.changes.length;
      const ask = inFlight === null ? left : Math.min(left, READ_CHUNK_WHILE_COMMITTING);
      const wait = firstAt === null ? slice : Math.max(0, Math.min(slice, firstAt + o.commitIntervalMs - now()));
      let b;
      try {
        b = await o.source.next(ask, wait);
      } catch (error) {
        // What was gathered is whole and consistent: commit it, then fail (e.g. a bad event under `fail`).
        return { g, failure: error };
      }
      for (const c of b.changes) g.changes.push(c);
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
      if (full || due || idle || commitFailed || o.signal?.aborted || o.stopWhen?.()) return { g, failure: null };
    }
  };

  /** Waits for the commit in flight; rethrows its failure. */
  const settle = async (): Promise<void> => {
    const p = inFlight;
    inFlight = null;
    await p;
  };

  await o.source.start(o.tables);
  try {
    for (;;) {
      const { g, failure } = await gather();
      await settle();
      if (g.hasAck) {
        inFlight = commit(g);
        if (o.overlapCommits === false) await settle();
        else inFlight.catch(() => undefined); // observed by settle(); this only stops an unhandled-rejection warning meanwhile
      }
      if (failure !== null) {
        await settle();
        throw failure;
      }
      if (o.signal?.aborted || o.stopWhen?.()) {
        await settle();
        if (o.signal?.aborted) return { reason: 'signal', batches, changes: total };
        if (o.stopWhen?.()) return { reason: 'stopped', batches, changes: total };
      }
      if (o.idleExitMs !== undefined && !g.active && now() - lastActivity >= o.idleExitMs) {
        await settle();
        return { reason: 'idle', batches, changes: total };
      }
    }
  } finally {
    await inFlight?.catch(() => undefined);
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
