/** The catalog conformance suite on PostgreSQL (FLOE_PG_URL, set by scripts/services.sh). */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { SqlCatalog } from '../../src/catalog/sql/sql-catalog.ts';
import { PostgresDriver } from '../../src/catalog/sql/postgres-driver.ts';
import { LocalFileIO } from '../../src/io/local-file-io.ts';
import { catalogConformance } from '../conformance/catalog.conformance.ts';

const url = process.env.FLOE_PG_URL;
if (url === undefined || url === '') {
  it('PostgreSQL catalog conformance needs FLOE_PG_URL (run scripts/services.sh or scripts/test.sh integration)', () => {
    assert.fail('FLOE_PG_URL is not set: the PostgreSQL catalog was not tested');
  });
} else {
  const dir = await mkdtemp(join(tmpdir(), 'floe-pg-catalog-'));
  after(() => rm(dir, { recursive: true, force: true }));
  const warehouse = pathToFileURL(join(dir, 'warehouse')).href;
  const io = new LocalFileIO();
  catalogConformance({
    name: 'sql (postgresql)',
    warehouse,
    io,
    open: (name, custom) => SqlCatalog.open({ name, driver: new PostgresDriver(url), warehouse, io: custom ?? io }),
  });
}
