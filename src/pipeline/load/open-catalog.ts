/**
 * The Iceberg catalog a config names: SQLite (file), PostgreSQL (URI) or memory. Release it
 * with `close()`. (Lives here until a shared catalog factory exists; nothing load-specific.)
 */
import type { Catalog } from '../../catalog/catalog.ts';
import { MemoryCatalog } from '../../catalog/memory/memory-catalog.ts';
import { PostgresDriver } from '../../catalog/sql/postgres-driver.ts';
import { SqlCatalog } from '../../catalog/sql/sql-catalog.ts';
import { SqliteDriver } from '../../catalog/sql/sqlite-driver.ts';
import type { CatalogConfig } from '../../config/types.ts';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Opens (and for SQLite creates) the configured catalog. */
export async function openCatalog(c: CatalogConfig): Promise<Catalog> {
  if (c.type === 'memory') return new MemoryCatalog({ name: c.name, warehouse: c.warehouse });
  if (c.type === 'sqlite') {
    await mkdir(dirname(c.uri), { recursive: true });
    return SqlCatalog.open({ name: c.name, warehouse: c.warehouse, driver: new SqliteDriver(c.uri) });
  }
  return SqlCatalog.open({ name: c.name, warehouse: c.warehouse, driver: new PostgresDriver(c.uri) });
}
