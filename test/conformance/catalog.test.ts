/** Runs the catalog conformance suite against the memory catalog and the SQL catalog on SQLite. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { pathToFileURL } from 'node:url';
import { MemoryCatalog, MemoryCatalogState } from '../../src/catalog/memory/memory-catalog.ts';
import { SqlCatalog } from '../../src/catalog/sql/sql-catalog.ts';
import { SqliteDriver } from '../../src/catalog/sql/sqlite-driver.ts';
import { LocalFileIO } from '../../src/io/local-file-io.ts';
import { MemoryFileIO } from '../../src/io/memory-file-io.ts';
import { catalogConformance } from './catalog.conformance.ts';

const memoryIO = new MemoryFileIO();
const states = new Map<string, MemoryCatalogState>();
catalogConformance({
  name: 'memory',
  warehouse: 'memory://warehouse',
  io: memoryIO,
  open: async (name, io) => {
    if (!states.has(name)) states.set(name, new MemoryCatalogState());
    return new MemoryCatalog({ name, state: states.get(name)!, io: io ?? memoryIO });
  },
});

const dir = await mkdtemp(join(tmpdir(), 'floe-sqlite-catalog-'));
after(() => rm(dir, { recursive: true, force: true }));
const warehouse = pathToFileURL(join(dir, 'warehouse')).href;
const localIO = new LocalFileIO();
catalogConformance({
  name: 'sql (sqlite file)',
  warehouse,
  io: localIO,
  open: (name, io) => SqlCatalog.open({ name, driver: new SqliteDriver(join(dir, 'catalog.db')), warehouse, io: io ?? localIO }),
});
