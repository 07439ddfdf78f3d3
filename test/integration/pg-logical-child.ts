/**
 * `floe sync` from PostgreSQL logical replication in a child process, for the crash test
 * (killed with SIGKILL at random moments). argv[2]: the config file. Runs until killed or
 * SIGTERM; prints `ready` once the source streams.
 */
import { openCatalog } from '../../src/catalog/open-catalog.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { EventBus } from '../../src/core/events.ts';
import { createLogger } from '../../src/core/logger.ts';
import { runSync } from '../../src/pipeline/sync/sync-runner.ts';
import { openSyncTables } from '../../src/pipeline/sync/sync-tables.ts';
import { sourceRecipe } from '../../src/pipeline/sync/source-recipe.ts';
import { ThreadedChangeSource } from '../../src/pipeline/sync/threaded-source.ts';

const config = await loadConfig({ path: process.argv[2]! });
const logger = createLogger({ level: 'warn' });
const events = new EventBus();
const catalog = await openCatalog(config.catalog);
const tables = await openSyncTables(config, catalog, events, logger);
// as floe sync runs it: the source in its own thread
const source = new ThreadedChangeSource({ recipe: sourceRecipe(config, tables), events, logger });
const stop = new AbortController();
process.on('SIGTERM', () => stop.abort());
let announced = false;
await runSync({
  source,
  tables: tables.map((t) => t.checkpoint),
  sinks: new Map(tables.map((t) => [t.label, t.sink])),
  maxBatchChanges: config.sync.maxBatchChanges,
  maxBatchBytes: config.sync.maxBatchMiB * 1024 * 1024,
  commitIntervalMs: config.sync.commitIntervalMs,
  logger,
  signal: stop.signal,
  pollSliceMs: 100,
  onBatch: () => {
    if (!announced) process.stdout.write('ready\n');
    announced = true;
  },
});
for (const t of tables) await t.applier.close();
await catalog.close();
process.exit(0);
