/**
 * Entry points for commands: the change source for `floe sync` when `sync.source.type` is
 * postgres, and the gapless start for `floe load` (create the slot with an exported snapshot,
 * then load every table in exactly that snapshot).
 */
import type { Config } from '../../config/types.ts';
import type { EventBus } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';
import { connectPg } from '../../sources/postgres/connection.ts';
import type { ExportedSnapshot } from '../../sources/postgres/snapshot.ts';
import { PgLogicalChangeSource } from './pg-logical-change-source.ts';
import { pgLogicalSettings } from './pg-logical-settings.ts';
import { createSlotWithSnapshot, ensurePublication, slotStatus } from './slot-admin.ts';

/** The PostgreSQL logical replication source of `config` (not started: the sync runner starts it). */
export function openPgLogicalSource(config: Config, events: EventBus, logger: Logger): PgLogicalChangeSource {
  const settings = pgLogicalSettings(config);
  return new PgLogicalChangeSource({ settings, load: config.load, log: logger.child({ slot: settings.slot }), events });
}

/**
 * Runs `load(snapshot)` for a gapless start. When `sync.source` is postgres and its slot does
 * not exist yet: creates the publication, then the slot with an exported snapshot, and passes
 * that snapshot (its `lsn` is the slot's consistent point) so every table is read in it; the
 * snapshot is released when `load` settles. Otherwise calls `load(undefined)`: an existing slot
 * older than the load is also gapless (the load's own snapshot decides which transactions it has).
 */
export async function withSlotSnapshot<T>(config: Config, logger: Logger, load: (snapshot: ExportedSnapshot | undefined) => Promise<T>): Promise<T> {
  if (config.sync.source?.type !== 'postgres') return load(undefined);
  const settings = pgLogicalSettings(config, ' load');
  const db = await connectPg(settings.sourceName, settings.connect);
  let exists: boolean;
  try {
    exists = (await slotStatus(db, settings.slot)) !== undefined;
    // the publication must exist before the slot streams anything: membership is judged as of each change
    if (!exists) await ensurePublication(db, settings.publication, settings.tables.map((t) => ({ schema: t.source.schema, table: t.source.table })));
  } finally {
    await db.end().catch(() => undefined);
  }
  if (exists) return load(undefined);
  const created = await createSlotWithSnapshot(settings.connect, settings.slot);
  logger.info({ slot: settings.slot, consistentPoint: created.snapshot.lsn, snapshot: created.snapshot.name }, 'created replication slot; loading in its exported snapshot (gapless start)');
  try {
    return await load(created.snapshot);
  } finally {
    await created.release();
  }
}
