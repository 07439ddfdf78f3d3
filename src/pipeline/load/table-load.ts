/**
 * Loads one table: prepare (key, columns, Iceberg table), decide (skip, resume, fresh), export
 * a snapshot, plan or reuse the chunks, read them on the worker pool with retries behind the
 * source's circuit breaker, commit each chunk to the load's branch as it arrives, and publish
 * the branch to main when all are in. A failure leaves the branch for the next run to resume.
 */
import type pg from 'pg';
import type { Catalog } from '../../catalog/catalog.ts';
import type { LoadConfig, TableConfig } from '../../config/types.ts';
import { RetryableError } from '../../core/errors.ts';
import type { EventBus } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';
import type { ParquetCodec } from '../../iceberg/parquet/parquet-file-writer.ts';
import { currentSchema, defaultSpec } from '../../iceberg/table/metadata-access.ts';
import type { LoadedTable } from '../../catalog/catalog.ts';
import { fileIOFor } from '../../io/registry.ts';
import { chunkCopySql } from '../../sources/postgres/chunk-sql.ts';
import { chunkId, describeRange } from '../../sources/postgres/chunk-plan.ts';
import type { PgConnectOptions } from '../../sources/postgres/connection.ts';
import { introspectTable } from '../../sources/postgres/introspector.ts';
import { estimateRows, planTableChunks } from '../../sources/postgres/plan-chunks.ts';
import { exportSnapshot, joinSnapshot, releaseSnapshot, type ExportedSnapshot } from '../../sources/postgres/snapshot.ts';
import type { ChunkOutput, ChunkTask } from './chunk-reader.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';
import { ChunkAlreadyCommittedError, commitChunk, dropBranches, planLocation, publishLoad, readPlan, writePlan } from './load-commits.ts';
import { decideLoad } from './load-decision.ts';
import { branchLoads, type LoadPlan } from './load-state.ts';
import { withRetry, type BackoffPolicy } from './retry.ts';
import { ensureIcebergTable, prepareTable, targetLabel, type PreparedTable } from './table-setup.ts';
import type { ChunkWorkerPool } from './worker-pool.ts';
import { runLanes } from './lanes.ts';

/** Everything a table load uses, shared by the run. */
export interface TableLoadContext {
  readonly catalog: Catalog;
  readonly pool: ChunkWorkerPool;
  readonly events: EventBus;
  readonly logger: Logger;
  readonly load: LoadConfig;
  readonly runId: string;
  readonly reload: boolean;
  readonly sourceName: string;
  readonly connect: PgConnectOptions;
  /** Worker connections this source may use at once (poolSize − 1 for the snapshot holder). */
  readonly maxWorkers: number;
  readonly breaker: CircuitBreaker;
  readonly retry: BackoffPolicy;
  readonly batchRows: number;
  readonly chunkDelayMs: number;
  /** Set when the run is asked to stop: no new chunk starts, running ones finish and commit. */
  readonly signal?: AbortSignal;
  /**
   * An exported snapshot to read in instead of exporting one (the coordinator joins it). Loads
   * staged before it are restarted, not resumed: their older chunks would leave a gap for CDC.
   */
  readonly externalSnapshot?: ExportedSnapshot;
}

/** How one table's load ended. */
export interface TableOutcome {
  readonly table: string; // namespace.table
  readonly source: string; // schema.table
  readonly status: 'loaded' | 'skipped' | 'failed';
  readonly rows: number; // rows in the load (resumed chunks included)
  readonly ms: number;
  readonly snapshotId: bigint | null;
  readonly chunksTotal: number;
  readonly chunksRead: number; // read by this run
  readonly resumed: boolean;
  readonly error?: string;
  /** Summed over this run's chunks: worker time decoding, encoding Parquet, waiting on PostgreSQL (ms). */
  readonly timing: { readonly decodeMs: number; readonly encodeMs: number; readonly waitMs: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function passBreaker(breaker: CircuitBreaker): Promise<void> {
  for (let wait = breaker.waitMs(); wait > 0; wait = breaker.waitMs()) await sleep(wait);
  breaker.begin();
}

/** Loads `t`; never throws for a table-level failure (the outcome says it), so other tables go on. */
export async function loadTable(ctx: TableLoadContext, coordinator: pg.Client, t: TableConfig): Promise<TableOutcome> {
  const started = performance.now();
  const label = targetLabel(t);
  const source = `${t.source.schema}.${t.source.table}`;
  const log = ctx.logger.child({ table: label });
  const timing = { decodeMs: 0, encodeMs: 0, waitMs: 0 };
  const base = { table: label, source, timing };
  let snapshot: ExportedSnapshot | undefined;
  let counts = { rows: 0, total: 0, read: 0, resumed: false };
  try {
    const pgTable = await introspectTable(coordinator, t.source.schema, t.source.table);
    const prepared = prepareTable(ctx.sourceName, pgTable, t, ctx.load);
    let { table } = await ensureIcebergTable(ctx.catalog, prepared, ctx.load);
    const io = fileIOFor(table.metadata.location);
    const branches = Object.keys(table.metadata.refs).filter((r) => r.startsWith('floe-load-'));
    const newest = branches.length === 0 ? undefined : await newestPlan(table, io, log);
    const decision = decideLoad(table.metadata, { reload: ctx.reload, resumable: ctx.externalSnapshot === undefined, columns: prepared.pg.columns.map((c) => c.name), keyColumns: prepared.keyColumns, newestPlan: newest }, label);
    if (decision.kind === 'refuse') throw new LoadRefusedError(decision.message);
    if (decision.kind === 'skip') {
      log.info({ completeRun: decision.completeRun }, 'already loaded: nothing to do (use --reload to replace)');
      const ms = performance.now() - started;
      ctx.events.emit('load:table-done', { table: label, runId: ctx.runId, rows: 0, ms, snapshotId: table.metadata.currentSnapshotId, skipped: true });
      return { ...base, status: 'skipped', rows: 0, ms, snapshotId: table.metadata.currentSnapshotId, chunksTotal: 0, chunksRead: 0, resumed: false };
    }
    if (decision.drop.length > 0) {
      log.info({ branches: decision.drop }, 'dropping abandoned load branches');
      table = await dropBranches(ctx.catalog, prepared.target, decision.drop);
    }
    snapshot = ctx.externalSnapshot === undefined ? await exportSnapshot(coordinator) : await joinSnapshot(coordinator, ctx.externalSnapshot);
    const readAt = { lsn: snapshot.lsn, pgSnapshot: snapshot.pgSnapshot };
    let plan: LoadPlan;
    let done: ReadonlyMap<string, number> = new Map();
    if (decision.kind === 'resume') {
      plan = decision.plan;
      done = decision.branch.done;
      log.info({ loadId: plan.loadId, done: done.size, of: plan.chunks.length, watermark: plan.watermark.lsn, readAt: snapshot.lsn }, 'resuming load');
    } else {
      const chunkPlan = await planTableChunks(coordinator, prepared.pg, prepared.keyColumns, { strategy: ctx.load.chunkStrategy, chunkRows: ctx.load.chunkRows });
      plan = {
        format: 1,
        loadId: ctx.runId,
        strategy: chunkPlan.strategy,
        keyColumns: prepared.keyColumns,
        columns: prepared.pg.columns.map((c) => c.name),
        schemaId: table.metadata.currentSchemaId,
        reload: decision.reload,
        watermark: readAt,
        chunks: chunkPlan.ranges.map((range, i) => ({ id: chunkId(i), range })),
      };
      await writePlan(io, planLocation(table, plan.loadId), plan);
      log.info({ loadId: plan.loadId, why: decision.why, strategy: plan.strategy, chunks: plan.chunks.length, keyless: prepared.keyColumns.length === 0, watermark: readAt.lsn }, 'load planned');
    }
    const planPath = planLocation(table, plan.loadId);
    const remaining = plan.chunks.filter((c) => !done.has(c.id));
    counts = { rows: [...done.values()].reduce((a, b) => a + b, 0), total: plan.chunks.length, read: 0, resumed: decision.kind === 'resume' };
    ctx.events.emit('load:table-started', { table: label, runId: ctx.runId, chunks: remaining.length, estimatedRows: estimateRows(prepared.pg) });

    const task = taskTemplate(ctx, prepared, table, snapshot, plan.loadId);
    let branchExists = decision.kind === 'resume';
    let commits: Promise<unknown> = Promise.resolve();
    const commitInOrder = (fn: () => Promise<void>): Promise<void> => {
      const next = commits.then(fn);
      commits = next.catch(() => undefined);
      return next;
    };
    const readOne = async (c: LoadPlan['chunks'][number]): Promise<void> => {
      const chunkLabel = `${label} chunk ${c.id}`;
      const output = await readWithRetry(ctx, { ...task(c.id), copySql: chunkCopySql(prepared.pg.schema, prepared.pg.name, prepared.columns.map((m) => m.selectExpr), c.range, prepared.keyColumns), label: chunkLabel }, label, c.id);
      timing.decodeMs += output.ms.decode;
      timing.encodeMs += output.ms.encode;
      timing.waitMs += output.ms.wait;
      await commitInOrder(async () => {
        try {
          await commitChunk(ctx.catalog, io, prepared.target, { plan, planPath, chunkId: c.id, files: output.files, readAt, removeAll: plan.reload && !branchExists }, ctx.events);
          branchExists = true;
        } catch (error) {
          if (!(error instanceof ChunkAlreadyCommittedError)) throw error;
          log.warn({ chunk: c.id }, 'chunk already committed by a concurrent run: dropping this copy');
          await Promise.all(output.files.map((f) => io.delete(f.filePath).catch(() => undefined)));
          return;
        }
        counts.rows += output.rows;
        counts.read += 1;
        ctx.events.emit('load:chunk-done', { table: label, runId: ctx.runId, chunk: c.id, rows: output.rows, bytes: output.bytes, ms: output.ms.total });
        log.debug({ chunk: c.id, range: describeRange(c.range), rows: output.rows, bytes: output.bytes, ms: Math.round(output.ms.total) }, 'chunk committed');
      });
    };
    await runLanes(remaining, Math.min(ctx.maxWorkers, ctx.pool.size), readOne, ctx.signal);
    await releaseSnapshot(coordinator);
    snapshot = undefined;
    if (ctx.signal?.aborted) throw new RetryableError(`table ${label}: stopped before all chunks were read (${counts.read} read this run); rerun to resume`);
    const published = await publishLoad(ctx.catalog, prepared.target, plan.loadId, decision.expectedMain, ctx.events);
    const ms = performance.now() - started;
    const snapshotId = published.metadata.refs['main']?.snapshotId ?? null;
    ctx.events.emit('load:table-done', { table: label, runId: ctx.runId, rows: counts.rows, ms, snapshotId, skipped: false });
    log.info({ loadId: plan.loadId, rows: counts.rows, chunks: counts.total, read: counts.read, ms: Math.round(ms), snapshotId: String(snapshotId), ...roundTiming(timing) }, 'table loaded');
    return { ...base, status: 'loaded', rows: counts.rows, ms, snapshotId, chunksTotal: counts.total, chunksRead: counts.read, resumed: counts.resumed };
  } catch (error) {
    if (snapshot !== undefined) await releaseSnapshot(coordinator).catch(() => undefined);
    const message = (error as Error).message;
    const ms = performance.now() - started;
    ctx.events.emit('load:table-failed', { table: label, runId: ctx.runId, error: message });
    log.error({ err: error, chunksRead: counts.read }, 'table load failed');
    return { ...base, status: 'failed', rows: counts.rows, ms, snapshotId: null, chunksTotal: counts.total, chunksRead: counts.read, resumed: counts.resumed, error: message };
  }
}

/** The table's state forbids loading (data floe did not load): the user decides, e.g. with --reload. */
export class LoadRefusedError extends Error {
  override name = 'LoadRefusedError';
}

function roundTiming(t: TableOutcome['timing']): Record<string, number> {
  return { decodeMs: Math.round(t.decodeMs), encodeMs: Math.round(t.encodeMs), waitMs: Math.round(t.waitMs) };
}

async function newestPlan(table: LoadedTable, io: ReturnType<typeof fileIOFor>, log: Logger): Promise<LoadPlan | undefined> {
  const newest = branchLoads(table.metadata)[0];
  if (newest?.planPath === undefined) return undefined;
  try {
    return await readPlan(io, newest.planPath);
  } catch (error) {
    log.warn({ err: error, branch: newest.branch }, 'plan of an abandoned load cannot be read');
    return undefined;
  }
}

/** The parts of a chunk task shared by all chunks of this table. */
function taskTemplate(ctx: TableLoadContext, p: PreparedTable, table: LoadedTable, snapshot: ExportedSnapshot, loadId: string) {
  const m = table.metadata;
  const dataDir = m.properties['write.data.path']?.replace(/\/+$/, '') ?? `${m.location}/data`;
  const target = Number(m.properties['write.target-file-size-bytes'] ?? ctx.load.targetFileSizeMiB * 1024 * 1024);
  const codec = (m.properties['write.parquet.compression-codec'] ?? ctx.load.codec) as ParquetCodec;
  return (id: string): Omit<ChunkTask, 'copySql' | 'label'> => ({
    sourceName: ctx.sourceName,
    connect: ctx.connect,
    snapshotName: snapshot.name,
    decode: { table: p.pg, columns: p.columns, options: ctx.load, batchRows: ctx.batchRows },
    write: { schema: currentSchema(m), spec: defaultSpec(m), dataDir, filePrefix: `${loadId}-${id}`, targetFileSizeBytes: target, rowGroupRows: ctx.load.rowGroupRows, codec },
    delayMs: ctx.chunkDelayMs,
  });
}

/** Reads one chunk on the pool, retrying transient failures with backoff behind the breaker. */
async function readWithRetry(ctx: TableLoadContext, task: ChunkTask, table: string, chunk: string): Promise<ChunkOutput> {
  return withRetry(
    async () => {
      await passBreaker(ctx.breaker);
      try {
        const out = await ctx.pool.run(task, ctx.maxWorkers);
        ctx.breaker.success();
        return out;
      } catch (error) {
        if (error instanceof RetryableError) ctx.breaker.failure();
        throw error;
      }
    },
    ctx.retry,
    {
      isTransient: (e) => e instanceof RetryableError,
      onFailure: (error, attempt, willRetry, delayMs) => {
        const message = (error as Error).message;
        ctx.events.emit('load:chunk-failed', { table, runId: ctx.runId, chunk, attempt, error: message, willRetry });
        ctx.logger.warn({ table, chunk, attempt, willRetry, delayMs, err: error }, willRetry ? 'chunk failed: retrying' : 'chunk failed');
      },
    },
  );
}

