/**
 * `floe load`'s engine: picks the tables (by name, else all, highest priority first), starts
 * the worker pool, and loads each source's tables one after another on one coordinator
 * connection (sources run side by side). One table failing does not stop the others.
 */
import type pg from 'pg';
import type { Catalog } from '../../catalog/catalog.ts';
import type { Config, PostgresSourceConfig, TableConfig } from '../../config/types.ts';
import { ConfigError, RetryableError } from '../../core/errors.ts';
import type { EventBus } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';
import { connectPg, pgConnectOptions } from '../../sources/postgres/connection.ts';
import type { ExportedSnapshot } from '../../sources/postgres/snapshot.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { CHUNK_RETRY, withRetry, type BackoffPolicy } from './retry.ts';
import { loadTable, type TableOutcome } from './table-load.ts';
import { targetLabel } from './table-setup.ts';
import { chunkWorkerEntry } from './chunk-worker-module.ts';
import { ChunkWorkerPool } from './worker-pool.ts';

export interface LoadRunOptions {
  readonly runId: string;
  /** Target (`ns.table`) or source (`schema.table`) names; empty: every configured table. */
  readonly tables: readonly string[];
  readonly reload: boolean;
  readonly retry?: BackoffPolicy;
  /** Test hook: each chunk pauses this long after importing the snapshot. */
  readonly chunkDelayMs?: number;
  readonly signal?: AbortSignal;
  /**
   * Read every table in this already exported snapshot instead of exporting one per table
   * (e.g. a replication slot's, `CREATE_REPLICATION_SLOT … (SNAPSHOT 'export')`, for a gapless
   * CDC start; its `lsn` is the slot's consistent point). The caller keeps it alive until the run ends.
   */
  readonly snapshot?: ExportedSnapshot;
  /** The source `snapshot` belongs to; other sources export their own. Default: every source. */
  readonly snapshotSource?: string;
}

export interface LoadRunResult {
  readonly runId: string;
  readonly outcomes: readonly TableOutcome[];
  readonly ms: number;
}

/** Rows per decoded batch handed to the Parquet writer (the decoder's measured sweet spot). */
const BATCH_ROWS = 8192;
/**
 * V8 heap per worker. Young 32 MiB: decoded batches die young (vs the default, fewer scavenges:
 * 1 M-row bench CPU 8.7 → 7.4-8.7 CPU-s, noisy). Re-measured with the flat encoder, 5 M rows,
 * CPU-s of two runs: young 16 → 5.48/5.37, 32 → 5.43/5.27, 64 → 5.32/5.32, 128 → 5.33/5.29: no
 * difference, because the workers' GC time is mark-compacts of a 10-20 MiB heap that ArrayBuffer
 * churn (socket reads, batch slabs) triggers, not scavenges (~35 per worker in a whole load). Old 256 MiB: V8 grows the heap lazily up to its
 * limit, so without a cap a 2-worker load peaked at 650-830 MiB RSS; with it 479 MiB. A row
 * group that needs more crashes its worker (the chunk is retried, then fails naming rowGroupRows).
 */
const WORKER_YOUNG_MIB = 32;
const WORKER_OLD_MIB = 256;

/** The configured tables `names` pick, highest priority first (stable). ConfigError names an unknown name. */
export function selectTables(config: Config, names: readonly string[]): TableConfig[] {
  const all = config.tables;
  const picked =
    names.length === 0
      ? [...all]
      : names.map((name) => {
          const t = all.find((x) => targetLabel(x) === name) ?? all.find((x) => `${x.source.schema}.${x.source.table}` === name);
          if (t === undefined) throw new ConfigError(`load: no configured table named ${JSON.stringify(name)} (known: ${all.map(targetLabel).join(', ') || 'none'})`);
          return t;
        });
  return picked.map((t, i) => ({ t, i })).sort((a, b) => b.t.priority - a.t.priority || a.i - b.i).map((x) => x.t);
}

/** Loads the selected tables; resolves with every table's outcome (never rejects for a table failure). */
export async function runLoad(config: Config, deps: { catalog: Catalog; events: EventBus; logger: Logger }, options: LoadRunOptions): Promise<LoadRunResult> {
  const started = performance.now();
  const tables = selectTables(config, options.tables);
  const entry = await chunkWorkerEntry();
  const pool = new ChunkWorkerPool({ size: config.load.parallelism, entry: entry.url, youngGenerationMiB: WORKER_YOUNG_MIB, oldGenerationMiB: WORKER_OLD_MIB });
  const log = deps.logger.child({ runId: options.runId });
  if (!entry.bundled) log.debug({ reason: entry.fallbackReason }, 'chunk workers start through tsx (no bundle)');
  log.info({ tables: tables.map(targetLabel), parallelism: config.load.parallelism, reload: options.reload }, 'load started');
  try {
    const bySource = new Map<string, TableConfig[]>();
    for (const t of tables) bySource.set(t.sourceName, [...(bySource.get(t.sourceName) ?? []), t]);
    const perSource = await Promise.all(
      [...bySource].map(([name, list]) => loadSource(config, name, config.sources[name]!, list, pool, { ...deps, logger: log }, options)),
    );
    const byLabel = new Map(perSource.flat().map((o) => [o.table, o]));
    const outcomes = tables.map((t) => byLabel.get(targetLabel(t))!);
    return { runId: options.runId, outcomes, ms: performance.now() - started };
  } finally {
    await pool.close();
  }
}

async function loadSource(
  config: Config,
  name: string,
  source: PostgresSourceConfig,
  tables: readonly TableConfig[],
  pool: ChunkWorkerPool,
  deps: { catalog: Catalog; events: EventBus; logger: Logger },
  options: LoadRunOptions,
): Promise<TableOutcome[]> {
  const connect = pgConnectOptions(name, source, ' load');
  const retry = options.retry ?? CHUNK_RETRY;
  const breaker = new CircuitBreaker({ threshold: 3, coolDownMs: 10_000 });
  const ctx = {
    catalog: deps.catalog, pool, events: deps.events, logger: deps.logger, load: config.load, runId: options.runId, reload: options.reload,
    sourceName: name, connect, maxWorkers: Math.max(1, Math.min(config.load.parallelism, source.poolSize - 1)), breaker, retry,
    batchRows: BATCH_ROWS, chunkDelayMs: options.chunkDelayMs ?? 0, ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.snapshot === undefined || (options.snapshotSource ?? name) !== name ? {} : { externalSnapshot: options.snapshot }),
  };
  const outcomes: TableOutcome[] = [];
  let coordinator: pg.Client | undefined;
  try {
    for (const t of tables) {
      if (coordinator === undefined) {
        try {
          coordinator = await withRetry(() => connectPg(name, connect), retry, { isTransient: (e) => e instanceof RetryableError });
        } catch (error) {
          outcomes.push(...tables.slice(outcomes.length).map((x) => failedBeforeStart(x, options.runId, deps, error as Error)));
          break;
        }
      }
      const outcome = await loadTable(ctx, coordinator, t);
      outcomes.push(outcome);
      if (outcome.status === 'failed' && !(await alive(coordinator))) {
        await coordinator.end().catch(() => undefined);
        coordinator = undefined;
      }
    }
  } finally {
    await coordinator?.end().catch(() => undefined);
  }
  return outcomes;
}

async function alive(client: pg.Client): Promise<boolean> {
  try {
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}

function failedBeforeStart(t: TableConfig, runId: string, deps: { events: EventBus; logger: Logger }, error: Error): TableOutcome {
  const table = targetLabel(t);
  deps.events.emit('load:table-failed', { table, runId, error: error.message });
  deps.logger.error({ table, err: error }, 'table load failed');
  return {
    table, source: `${t.source.schema}.${t.source.table}`, status: 'failed', rows: 0, ms: 0, snapshotId: null, chunksTotal: 0, chunksRead: 0,
    resumed: false, error: error.message, timing: { decodeMs: 0, encodeMs: 0, waitMs: 0 },
  };
}
