/**
 * `floe sync [--once] [--idle-ms N]`: applies Debezium change events from Kafka to the
 * configured Iceberg tables, exactly once, until stopped. `--once` drains what is available
 * (until nothing new arrives for --idle-ms, default 3000) and exits. SIGINT/SIGTERM: the batch
 * being gathered is committed, then floe exits 0; a second signal, or the batch not finishing
 * within 30 s, exits at once (safe: each table's last commit says where to resume).
 * Exit codes: 0 done, 1 a failure (bad event under `fail`, a stopped table, an error), 2 usage/config.
 */
import { ConfigError } from '../../core/errors.ts';
import { tuneYoungGeneration } from '../../core/heap-tuning.ts';
import { openCatalog } from '../../catalog/open-catalog.ts';
import { setupMetrics } from '../../metrics/setup-metrics.ts';
import { runSync, type SyncOutcome } from '../../pipeline/sync/sync-runner.ts';
import { openSyncTables } from '../../pipeline/sync/sync-tables.ts';
import { sourceRecipe } from '../../pipeline/sync/source-recipe.ts';
import { ThreadedChangeSource } from '../../pipeline/sync/threaded-source.ts';
import type { Command } from '../command.ts';

const USAGE = `Usage: floe sync [--once] [--idle-ms N]

Applies change events (per sync.source: Debezium on Kafka, or PostgreSQL logical replication) to the configured tables, one Iceberg
commit per table per batch, resuming from each table's last commit. Runs until SIGINT/SIGTERM.
  --once       drain what is available, then exit (no new event for --idle-ms)
  --idle-ms N  with --once: quiet period that ends the run, default 3000`;

/** Hard-exit backstop after a stop signal, ms. */
const HARD_EXIT_MS = 30_000;

interface SyncArgs {
  readonly once: boolean;
  readonly idleMs: number;
}

/** Parses the command's own arguments; undefined on a bad flag. */
export function parseSyncArgs(args: readonly string[]): SyncArgs | undefined {
  let once = false;
  let idleMs = 3000;
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    if (a === '--once') once = true;
    else if (a === '--idle-ms') idleMs = Number(args[++i]);
    else if (a.startsWith('--idle-ms=')) idleMs = Number(a.slice('--idle-ms='.length));
    else return undefined;
  }
  return Number.isInteger(idleMs) && idleMs > 0 ? { once, idleMs } : undefined;
}

export const command: Command = {
  name: 'sync',
  summary: 'apply change events (Debezium on Kafka, or PostgreSQL logical replication) to Iceberg tables, exactly once',
  usage: USAGE,
  async run(args, context) {
    const parsed = parseSyncArgs(args);
    if (parsed === undefined) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    tuneYoungGeneration();
    const config = await context.config();
    const logger = await context.logger();
    const metrics = await setupMetrics(context.events, config.metrics);
    context.defer(() => metrics.close());
    const catalog = await openCatalog(config.catalog);
    context.defer(() => catalog.close());
    const tables = await openSyncTables(config, catalog, context.events, logger);
    context.defer(async () => {
      for (const t of tables) await t.applier.close();
    });
    // Reading and decoding run in their own thread; this one plans, writes and commits.
    const source = new ThreadedChangeSource({ recipe: sourceRecipe(config, tables), events: context.events, logger });

    const stop = new AbortController();
    let hardExit: NodeJS.Timeout | undefined;
    const onSignal = (signal: string): void => {
      if (stop.signal.aborted) {
        logger.warn({ signal }, 'second signal: exiting now; the next run resumes from each table\'s last commit');
        process.exit(130);
      }
      logger.info({ signal }, 'stopping: committing the batch in flight (signal again to exit now)');
      stop.abort();
      hardExit = setTimeout(() => {
        logger.error({ ms: HARD_EXIT_MS }, 'batch did not finish in time: exiting; the next run resumes from each table\'s last commit');
        process.exit(1);
      }, HARD_EXIT_MS);
      hardExit.unref();
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
    context.defer(() => {
      clearTimeout(hardExit);
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    });

    let outcome: SyncOutcome;
    try {
      outcome = await runSync({
        source,
        tables: tables.map((t) => t.checkpoint),
        sinks: new Map(tables.map((t) => [t.label, t.sink])),
        maxBatchChanges: config.sync.maxBatchChanges,
        maxBatchBytes: config.sync.maxBatchMiB * 1024 * 1024,
        commitIntervalMs: config.sync.commitIntervalMs,
        logger,
        signal: stop.signal,
        stopWhen: () => source.stoppedTables().size === tables.length,
        ...(parsed.once ? { idleExitMs: parsed.idleMs } : {}),
      });
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      logger.error({ error: (error as Error).message }, 'sync failed');
      context.out(`floe sync: failed: ${(error as Error).message}`);
      return 1;
    }
    const stopped = source.stoppedTables();
    for (const [table, error] of stopped) context.out(`stopped  ${table}  ${error.message}`);
    context.out(`floe sync: ${outcome.changes} changes in ${outcome.batches} batches; ${{ idle: 'drained', signal: 'stopped by signal', stopped: 'every table stopped' }[outcome.reason]}`);
    return stopped.size > 0 ? 1 : 0;
  },
};
