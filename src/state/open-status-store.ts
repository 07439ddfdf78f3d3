/**
 * Opens the status store the config names: SQLite at `state.path` (default) or PostgreSQL at
 * `state.url`. Callers close it when done (register `store.close` with the CLI context).
 */
import type { Config } from '../config/index.ts';
import { openPostgresStatusStore } from './postgres-status-store.ts';
import { openSqliteStatusStore } from './sqlite-status-store.ts';
import type { StatusStore } from './status-store.ts';

/** The configured StatusStore, created (file, schema, tables) when absent. */
export async function openStatusStore(config: Config['state']): Promise<StatusStore> {
  switch (config.type) {
    case 'sqlite':
      return openSqliteStatusStore({ path: config.path });
    case 'postgres':
      return openPostgresStatusStore({ url: config.url });
  }
}
