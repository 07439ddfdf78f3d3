/**
 * Opens the Iceberg catalog the config names: the SQL catalog on SQLite (default) or
 * PostgreSQL, or a memory catalog (tests). Table files go through the FileIO chosen by the
 * location's scheme (local files for `file:` and absolute paths). The caller closes it.
 */
import type { Config } from '../config/index.ts';
import type { Catalog } from './catalog.ts';
import { MemoryCatalog } from './memory/memory-catalog.ts';
import { PostgresDriver } from './sql/postgres-driver.ts';
import { SqlCatalog } from './sql/sql-catalog.ts';
import { SqliteDriver } from './sql/sqlite-driver.ts';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The warehouse as a URI: an absolute path becomes `file://<path>` taken literally (no
 * percent-encoding, matching how LocalFileIO reads locations); a URI is kept as it is.
 */
export function warehouseUri(warehouse: string): string {
  return warehouse.startsWith('/') ? `file://${warehouse.replace(/\/+$/, '')}` : warehouse.replace(/\/+$/, '');
}

/** The configured catalog, created (file, tables) when absent. */
export async function openCatalog(config: Config['catalog']): Promise<Catalog> {
  const warehouse = warehouseUri(config.warehouse);
  switch (config.type) {
    case 'sqlite': {
      mkdirSync(dirname(config.uri), { recursive: true });
      const driver = new SqliteDriver(config.uri);
      try {
        return await SqlCatalog.open({ name: config.name, driver, warehouse });
      } catch (err) {
        await driver.close();
        throw err;
      }
    }
    case 'postgres': {
      const driver = new PostgresDriver(config.uri);
      try {
        return await SqlCatalog.open({ name: config.name, driver, warehouse });
      } catch (err) {
        await driver.close();
        throw err;
      }
    }
    case 'memory':
      return new MemoryCatalog({ name: config.name, warehouse });
  }
}
