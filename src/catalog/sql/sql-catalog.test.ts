/** SQL catalog specifics beyond the conformance suite: error classification on the swap, v0 schemas, placeholders. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { CommitStateUnknownError, RetryableError } from '../../core/errors.ts';
import { MemoryFileIO } from '../../io/memory-file-io.ts';
import { toPgPlaceholders } from './postgres-driver.ts';
import { SqlCatalog } from './sql-catalog.ts';
import type { SqlDriver } from './sql-driver.ts';
import { SqliteDriver } from './sqlite-driver.ts';

const schema = { schemaId: 0, identifierFieldIds: [], fields: [{ id: 1, name: 'id', required: true, type: { type: 'long' } as const }] };
const id = { namespace: ['ns'], name: 't' };

/** A driver whose UPDATE fails with `definite` as its classification. */
function failingUpdates(inner: SqlDriver, definite: boolean): SqlDriver {
  return {
    dialect: inner.dialect,
    query: (sql, p) => inner.query(sql, p),
    run: (sql, p) => (sql.trimStart().startsWith('UPDATE') ? Promise.reject(new Error('connection reset')) : inner.run(sql, p)),
    isUniqueViolation: (e) => inner.isUniqueViolation(e),
    failedDefinitely: () => definite,
    close: () => inner.close(),
  };
}

async function setup(definite: boolean): Promise<{ cat: SqlCatalog; io: MemoryFileIO }> {
  const io = new MemoryFileIO();
  const cat = await SqlCatalog.open({ name: 'x', driver: failingUpdates(new SqliteDriver(':memory:'), definite), warehouse: 'memory://w', io });
  await cat.createNamespace(['ns']);
  await cat.createTable(id, { schema });
  return { cat, io };
}

describe('SqlCatalog swap errors', () => {
  it('outcome unknown → CommitStateUnknownError, and the new metadata file is kept', async () => {
    const { cat, io } = await setup(false);
    await assert.rejects(cat.commitTable(id, [], [{ action: 'set-properties', updates: { a: '1' } }]), CommitStateUnknownError);
    assert.equal(io.list('memory://w/ns/t/metadata/00001-').length, 1);
    await cat.close();
  });

  it('definite failure → RetryableError, and the new metadata file is removed', async () => {
    const { cat, io } = await setup(true);
    await assert.rejects(cat.commitTable(id, [], [{ action: 'set-properties', updates: { a: '1' } }]), RetryableError);
    assert.deepEqual(io.list('memory://w/ns/t/metadata/00001-'), []);
    await cat.close();
  });
});

describe('SqlCatalog on a v0 schema (no iceberg_type column)', () => {
  it('creates, commits and lists tables without writing iceberg_type', async () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) NOT NULL,
      table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000),
      PRIMARY KEY (catalog_name, table_namespace, table_name))`);
    const cat = await SqlCatalog.open({ name: 'old', driver: new SqliteDriver(db), warehouse: 'memory://v0', io: new MemoryFileIO() });
    await cat.createNamespace(['ns']);
    const t = await cat.createTable(id, { schema });
    const c = await cat.commitTable(id, [], [{ action: 'set-properties', updates: { a: '1' } }]);
    const row = db.prepare('SELECT metadata_location, previous_metadata_location FROM iceberg_tables').get() as Record<string, string>;
    assert.deepEqual(row, { metadata_location: c.metadataLocation, previous_metadata_location: t.metadataLocation });
    assert.deepEqual(await cat.listTables(['ns']), [id]);
    await cat.close();
    db.close();
  });
});

describe('toPgPlaceholders', () => {
  it('numbers ? in order', () => {
    assert.equal(toPgPlaceholders('a = ? AND b = ? OR c IN (?)'), 'a = $1 AND b = $2 OR c IN ($3)');
  });
});
