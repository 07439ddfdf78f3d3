/**
 * Optimistic commits, as Iceberg engines do them: build requirements + updates on the current
 * metadata, hand them to the catalog's atomic swap, and on a lost race refresh and rebuild,
 * with bounded exponential backoff and full jitter. "Commit state unknown" is resolved by
 * reloading the table and looking for our commit id before trying again, so a commit never
 * lands twice.
 */
import { CommitConflictError, CommitStateUnknownError } from '../../core/errors.ts';
import type { EventBus } from '../../core/events.ts';
import type { TableIdentifier, TableMetadata, TableRequirement, TableUpdate } from '../spec/types.ts';
import type { Catalog, LoadedTable } from '../../catalog/catalog.ts';

export interface CommitPlan {
  readonly requirements: readonly TableRequirement[];
  readonly updates: readonly TableUpdate[];
}

export interface RetryPolicy {
  readonly maxAttempts: number; // total tries, first included
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, minBackoffMs: 50, maxBackoffMs: 5_000 };

export interface CommitOptions {
  /** Unique per logical commit; stored in the snapshot summary as `floe.commit-id`. */
  readonly commitId: string;
  readonly retry?: RetryPolicy;
  readonly events?: EventBus;
  /** Whether the commit is already in `metadata` (default: a snapshot carries our commit id). */
  readonly landed?: (metadata: TableMetadata) => boolean;
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * The table as the caller last saw it (e.g. as its own previous commit left it): the first
   * attempt builds on it instead of loading and parsing the metadata again, which grows with
   * every snapshot. A stale one costs that attempt: the catalog refuses its requirements, and
   * the next attempt loads the table, at once (no backoff).
   */
  readonly base?: LoadedTable;
}

/** Summary key carrying the commit id of the floe commit that made a snapshot. */
export const COMMIT_ID_KEY = 'floe.commit-id';

/** True when some snapshot of the table was made by the commit with this id. */
export function hasCommit(metadata: TableMetadata, commitId: string): boolean {
  return metadata.snapshots.some((s) => s.summary[COMMIT_ID_KEY] === commitId);
}

/** Delay before retry `attempt` (1-based): full jitter over an exponential cap, in ms. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxBackoffMs, policy.minBackoffMs * 2 ** (attempt - 1));
  return Math.round(policy.minBackoffMs / 2 + random() * (cap - policy.minBackoffMs / 2));
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Commits the plan built by `build` on the freshest metadata, retrying lost races. `build` is
 * called again on every retry with the new base; an error it throws is not retried (it means
 * the change no longer applies). Returns the table as committed.
 */
export async function commitWithRetry(
  catalog: Catalog,
  id: TableIdentifier,
  build: (base: LoadedTable, attempt: number) => Promise<CommitPlan>,
  options: CommitOptions,
): Promise<LoadedTable> {
  const policy = options.retry ?? DEFAULT_RETRY;
  const sleep = options.sleep ?? defaultSleep;
  const landed = options.landed ?? ((m: TableMetadata) => hasCommit(m, options.commitId));
  const table = [...id.namespace, id.name].join('.');
  let lastError: Error | undefined;
  let known = options.base;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt += 1) {
    const guessed = known !== undefined;
    const base = known ?? (await catalog.loadTable(id));
    known = undefined;
    if (attempt > 1 && landed(base.metadata)) return base;
    const plan = await build(base, attempt);
    try {
      return await catalog.commitTable(id, plan.requirements, plan.updates);
    } catch (error) {
      if (!(error instanceof CommitConflictError || error instanceof CommitStateUnknownError)) throw error;
      lastError = error;
      if (attempt === policy.maxAttempts) break;
      if (guessed && error instanceof CommitConflictError) continue; // the caller's copy was stale: load it now
      const delayMs = backoffMs(attempt, policy);
      options.events?.emit('commit:retry', { table, attempt, reason: error.message, delayMs });
      await sleep(delayMs);
    }
  }
  if (lastError instanceof CommitStateUnknownError) {
    const current = await catalog.loadTable(id);
    if (landed(current.metadata)) return current;
  }
  throw new CommitConflictError(`iceberg commit to ${table} failed after ${policy.maxAttempts} attempts: ${lastError?.message}`, {
    cause: lastError,
  });
}
