import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { openCatalog, warehouseUri } from './open-catalog.ts';

const dir = await mkdtemp(join(tmpdir(), 'floe-open-catalog-'));
after(() => rm(dir, { recursive: true, force: true }));

it('turns an absolute warehouse path into a literal file:// URI and keeps URIs', () => {
  assert.equal(warehouseUri('/data/my wh/'), 'file:///data/my wh');
  assert.equal(warehouseUri('memory://w'), 'memory://w');
});

it('opens the SQLite catalog (creating its directory) and writes tables under the warehouse', async () => {
  const warehouse = join(dir, 'warehouse');
  const catalog = await openCatalog({ type: 'sqlite', uri: join(dir, 'db', 'catalog.db'), name: 'floe', warehouse });
  try {
    await catalog.createNamespace(['sales']);
    const table = await catalog.createTable({ namespace: ['sales'], name: 'orders' }, {
      schema: { schemaId: 0, identifierFieldIds: [], fields: [{ id: 1, name: 'id', required: true, type: { type: 'long' } }] },
    });
    assert.equal(table.metadata.location, `file://${warehouse}/sales/orders`);
    assert.ok((await stat(join(warehouse, 'sales', 'orders', 'metadata'))).isDirectory());
  } finally {
    await catalog.close();
  }
  const again = await openCatalog({ type: 'sqlite', uri: join(dir, 'db', 'catalog.db'), name: 'floe', warehouse });
  assert.ok(await again.tableExists({ namespace: ['sales'], name: 'orders' }));
  await again.close();
});

it('opens a memory catalog', async () => {
  const catalog = await openCatalog({ type: 'memory', name: 'm', warehouse: 'memory://wh' });
  assert.equal(catalog.name, 'm');
  await catalog.close();
});
