/**
 * Getting the configured tables ready to sync: each Iceberg table (created empty from the
 * source's schema when missing, so Debezium's snapshot reads fill it), where it stands (the
 * newest sync checkpoint, from its snapshot summaries or, after they expired, the
 * floe.sync.checkpoint property; and the load watermark), and an applier holding its key index open.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Catalog } from '../../catalog/catalog.ts';
import type { Config, TableConfig } from '../../config/types.ts';
import { ConfigError } from '../../core/errors.ts';
import type { EventBus } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';
import type { TableIdentifier, TableMetadata } from '../../iceberg/spec/types.ts';
import { fileIOFor } from '../../io/registry.ts';
import { introspectTable } from '../../sources/postgres/introspector.ts';
import { connectPg, pgConnectOptions } from '../../sources/postgres/connection.ts';
import { openTableApplier, type TableApplier } from '../../cdc/apply/apply-batch.ts';
import { loadWatermarkSummary, readCheckpoint } from '../../cdc/apply/checkpoint.ts';
import { ensureIcebergTable, prepareTable, targetLabel } from '../load/table-setup.ts';
import type { TableCheckpoint } from './change-source.ts';
import type { TableSink } from './sync-runner.ts';

/** One configured table, ready: its checkpoint, its current metadata and its sink. */
export interface SyncTable {
  readonly config: TableConfig;
  readonly id: TableIdentifier;
  /** Target `namespace.table`. */
  readonly label: string;
  /** Source `schema.table`. */
  readonly source: string;
  readonly metadata: TableMetadata;
  readonly checkpoint: TableCheckpoint;
  readonly applier: TableApplier;
  readonly sink: TableSink;
}

/** `schema.table` of a config table, as `Change.table` names it. */
export function sourceLabel(t: TableConfig): string {
  return `${t.source.schema}.${t.source.table}`;
}

/** The table's checkpoint for a change source: the newest sync checkpoint's keys and the load watermark summary. */
export function tableCheckpoint(t: TableConfig, metadata: TableMetadata): TableCheckpoint {
  return { target: targetLabel(t), source: sourceLabel(t), lastCommitted: readCheckpoint(metadata)?.summary, loadWatermark: loadWatermarkSummary(metadata) };
}

/** Creates missing tables from their PostgreSQL source's schema; ConfigError when a table has no reachable source. */
async function createMissing(config: Config, catalog: Catalog, missing: readonly TableConfig[], logger: Logger): Promise<void> {
  for (const t of missing) {
    const source = config.sources[t.sourceName];
    if (source === undefined) {
      throw new ConfigError(`table ${targetLabel(t)} does not exist in the catalog and has no source to create it from: run \`floe load\` or configure sources`);
    }
    const client = await connectPg(t.sourceName, pgConnectOptions(t.sourceName, source, ' sync'));
    try {
      const pg = await introspectTable(client, t.source.schema, t.source.table);
      const { created } = await ensureIcebergTable(catalog, prepareTable(t.sourceName, pg, t, config.load), config.load);
      if (created) logger.info({ table: targetLabel(t) }, 'created empty table from the source schema');
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** Opens every configured table for sync; closes what it opened when one fails. */
export async function openSyncTables(config: Config, catalog: Catalog, events: EventBus, logger: Logger): Promise<SyncTable[]> {
  const missing: TableConfig[] = [];
  for (const t of config.tables) if (!(await catalog.tableExists(t.target))) missing.push(t);
  await createMissing(config, catalog, missing, logger);
  const out: SyncTable[] = [];
  await mkdir(join(config.dataDir, 'index'), { recursive: true });
  try {
    for (const t of config.tables) {
      const label = targetLabel(t);
      const applier = await openTableApplier({
        catalog,
        io: fileIOFor((await catalog.loadTable(t.target)).metadata.location),
        id: t.target,
        indexPath: join(config.dataDir, 'index', `${label}.sqlite`),
        cacheEntries: config.sync.keyCacheEntries,
        events,
        ...(config.sync.expireSnapshots ? { snapshotRetention: { maxAgeMs: config.sync.snapshotMaxAgeMs, minSnapshotsToKeep: config.sync.minSnapshotsToKeep } } : {}),
      });
      const { metadata } = await catalog.loadTable(t.target);
      const sink: TableSink = {
        apply: async (changes, summary) => ({ snapshotId: (await applier.apply(changes, { summary })).snapshot?.snapshotId ?? null }),
      };
      out.push({ config: t, id: t.target, label, source: sourceLabel(t), metadata, checkpoint: tableCheckpoint(t, metadata), applier, sink });
      logger.info({ table: label, index: applier.opened }, 'table ready');
    }
    return out;
  } catch (error) {
    for (const s of out) await s.applier.close();
    throw error;
  }
}
