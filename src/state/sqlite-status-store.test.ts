import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ConfigError } from '../core/errors.ts';
import { migrations, pendingMigrations } from './status-schema.ts';
import { openSqliteStatusStore } from './sqlite-status-store.ts';

const dir = await mkdtemp(join(tmpdir(), 'floe-status-sqlite-'));
after(() => rm(dir, { recursive: true, force: true }));

describe('status schema migrations', () => {
  it('applies only the steps above the current version', () => {
    const all = [{ version: 1, statements: ['a'] }, { version: 2, statements: ['b'] }];
    assert.deepEqual(pendingMigrations(0, all, 'x').map((m) => m.version), [1, 2]);
    assert.deepEqual(pendingMigrations(1, all, 'x').map((m) => m.version), [2]);
    assert.deepEqual(pendingMigrations(2, all, 'x'), []);
  });

  it('refuses a database newer than the code, naming it and both versions', () => {
    assert.throws(() => pendingMigrations(7, migrations('sqlite'), '/d/state.db'), (e: Error) => e instanceof ConfigError && /\/d\/state\.db.*version 7.*\(1\)/.test(e.message));
  });
});

describe('sqlite status store', () => {
  it('uses WAL, records schema version 1, and reopens without migrating twice', async () => {
    const path = join(dir, 'a.db');
    await openSqliteStatusStore({ path }).close();
    await openSqliteStatusStore({ path }).close();
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.deepEqual(db.prepare('SELECT "version" FROM floe_status_schema').all(), [{ version: 1 }]);
    } finally {
      db.close();
    }
  });

  it('refuses to open a store written by a newer floe', async () => {
    const path = join(dir, 'newer.db');
    await openSqliteStatusStore({ path }).close();
    const db = new Database(path);
    db.prepare('UPDATE floe_status_schema SET "version" = 2').run();
    db.close();
    assert.throws(() => openSqliteStatusStore({ path }), ConfigError);
  });

  it('lets a second connection read while the first has written (two processes)', async () => {
    const path = join(dir, 'two.db');
    const writer = openSqliteStatusStore({ path });
    const reader = openSqliteStatusStore({ path });
    try {
      await writer.startRun('load', 'r1');
      await writer.updateTable('r1', 'a.t', { rows: 42 });
      assert.equal((await reader.listTables())[0]!.rows, 42);
    } finally {
      await writer.close();
      await reader.close();
    }
  });
});
