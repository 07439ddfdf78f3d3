/**
 * `floe load [TABLE...] [--reload]`: bulk-loads configured tables from PostgreSQL into Iceberg
 * (all of them by default, highest priority first). Prints one line per table and exits 0
 * when every table is loaded or already was, 1 when any failed (the lines say which and why),
 * 2 on a config error. SIGINT/SIGTERM stop new chunks; running ones finish and commit, so a
 * rerun resumes.
 */
import { randomBytes } from 'node:crypto';
import { withSlotSnapshot } from '../../cdc/postgres/open-pg-logical-source.ts';
import { pgLogicalSettings } from '../../cdc/postgres/pg-logical-settings.ts';
import { openCatalog } from '../../catalog/open-catalog.ts';
import { runLoad, type LoadRunResult } from '../../pipeline/load/run-load.ts';
import { setupMetrics } from '../../metrics/setup-metrics.ts';
import { openStatusStore } from '../../state/open-status-store.ts';
import type { StatusStore } from '../../state/status-store.ts';
import { recordLoadEvents } from '../../state/record-load-events.ts';
import type { Command } from '../command.ts';
import { startProgress } from '../progress.ts';

const USAGE = `Usage: floe load [TABLE...] [--reload]

Loads the configured tables (TABLE: target namespace.table or source schema.table; default:
all, highest priority first) in one consistent PostgreSQL snapshot per table. A completed
table is skipped unless --reload, which replaces its data in one step. An interrupted load
resumes where it stopped.`;

interface LoadArgs {
  readonly tables: string[];
  readonly reload: boolean;
  readonly chunkDelayMs: number;
}

/** Parses the command's own arguments; undefined on a bad flag. */
export function parseLoadArgs(args: readonly string[]): LoadArgs | undefined {
  const tables: string[] = [];
  let reload = false;
  let chunkDelayMs = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--reload') reload = true;
    else if (a === '--debug-chunk-delay-ms') chunkDelayMs = Number(args[++i]); // test hook: hold each chunk in its snapshot
    else if (a.startsWith('-')) return undefined;
    else tables.push(a);
  }
  return Number.isFinite(chunkDelayMs) && chunkDelayMs >= 0 ? { tables, reload, chunkDelayMs } : undefined;
}

/** A new run id: UTC time plus randomness, sortable and safe in branch and file names. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

function summaryLines(result: LoadRunResult): string[] {
  const count = (s: string) => result.outcomes.filter((o) => o.status === s).length;
  const lines = [`floe load ${result.runId}: ${count('loaded')} loaded, ${count('skipped')} skipped, ${count('failed')} failed in ${(result.ms / 1000).toFixed(1)} s`];
  for (const o of result.outcomes) {
    const detail =
      o.status === 'loaded'
        ? `${o.rows} rows, ${o.chunksRead}/${o.chunksTotal} chunks read${o.resumed ? ' (resumed)' : ''}, ${(o.ms / 1000).toFixed(1)} s, snapshot ${o.snapshotId}`
        : o.status === 'skipped'
          ? 'already loaded (use --reload to replace)'
          : `${o.error}${o.chunksRead > 0 ? ` (${o.chunksRead} chunks committed; rerun to resume)` : ''}`;
    lines.push(`  ${o.status.padEnd(7)} ${o.table}  ${detail}`);
  }
  return lines;
}

/** Runs the load; an exception ends the run as failed in the status store before it propagates. */
async function runOrRecordFailure<T>(store: StatusStore, runId: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    await store.finishRun(runId, 'failed', error instanceof Error ? error.message : String(error)).catch(() => undefined);
    throw error;
  }
}

export const command: Command = {
  name: 'load',
  summary: 'bulk-load PostgreSQL tables into Iceberg (consistent, parallel, resumable)',
  usage: USAGE,
  async run(args, context) {
    const parsed = parseLoadArgs(args);
    if (parsed === undefined) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    const config = await context.config();
    const logger = await context.logger();
    const catalog = await openCatalog(config.catalog);
    context.defer(() => catalog.close());
    const metrics = await setupMetrics(context.events, config.metrics);
    context.defer(() => metrics.close());
    const runId = newRunId();
    const store = await openStatusStore(config.state);
    context.defer(() => store.close());
    await store.startRun('load', runId);
    const recorder = recordLoadEvents(context.events, store, logger);
    const progress = startProgress(context.events, { stream: process.stderr, log: logger });
    let progressStopped = false;
    const stopProgress = () => {
      if (!progressStopped) progress.stop();
      progressStopped = true;
    };
    context.defer(stopProgress);
    const stop = new AbortController();
    const onSignal = (signal: string) => {
      logger.warn({ signal }, 'stopping: no new chunks; running chunks finish and commit (signal again to exit now)');
      stop.abort();
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
    context.defer(() => void process.off('SIGINT', onSignal).off('SIGTERM', onSignal));
    // With sync.source postgres and no slot yet, the slot is created first and every table of
    // that source is read in its exported snapshot: CDC then starts exactly where the load ends.
    const result = await runOrRecordFailure(store, runId, () => withSlotSnapshot(config, logger, (snapshot) =>
      runLoad(config, { catalog, events: context.events, logger }, {
        runId,
        tables: parsed.tables,
        reload: parsed.reload,
        chunkDelayMs: parsed.chunkDelayMs,
        signal: stop.signal,
        ...(snapshot === undefined ? {} : { snapshot, snapshotSource: pgLogicalSettings(config, ' load').sourceName }),
      }),
    ));
    stopProgress();
    await recorder.flush();
    const failed = result.outcomes.filter((o) => o.status === 'failed').length;
    const lines = summaryLines(result);
    await store.finishRun(runId, failed === 0 ? 'succeeded' : failed === result.outcomes.length ? 'failed' : 'partial', lines[0] ?? null);
    context.out(lines.join('\n'));
    return failed > 0 ? 1 : 0;
  },
};
