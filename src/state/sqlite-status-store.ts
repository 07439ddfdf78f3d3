/**
 * The status store in a SQLite file (the default: `<dataDir>/state.db`), on better-sqlite3 v12
 * (v13 crashes on Node 20). WAL mode, so `floe status` reads while a load writes; synchronous =
 * NORMAL, because the store is never the source of truth (a power cut may lose its last updates,
 * never corrupt it, and `floe status --rebuild` restores them from the Iceberg tables).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrations, pendingMigrations, VERSION_TABLE } from './status-schema.ts';
import { SqlStatusStore, type StatusSql } from './sql-status-store.ts';

/** Options of the SQLite store; `now` (ms) is for tests. */
export interface SqliteStatusStoreOptions {
  readonly path: string; // a file path, or ':memory:'
  readonly busyTimeoutMs?: number; // wait for another writer this long (default 5000)
  readonly now?: () => number;
}

class SqliteStatusSql implements StatusSql {
  readonly dialect = 'sqlite' as const;
  constructor(private readonly db: Database.Database) {}

  async all(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]> {
    return this.db.prepare(sql).all(...params) as Record<string, unknown>[];
  }

  async run(sql: string, params: readonly unknown[]): Promise<number> {
    return this.db.prepare(sql).run(...params).changes;
  }

  isForeignKeyViolation(err: unknown): boolean {
    return (err as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** Applies missing migrations inside one IMMEDIATE transaction (two openers cannot both migrate). */
function migrate(db: Database.Database, where: string): void {
  db.transaction(() => {
    db.prepare(VERSION_TABLE).run();
    const row = db.prepare('SELECT MAX("version") AS v FROM floe_status_schema').get() as { v: number | null };
    const current = row.v ?? 0;
    const steps = pendingMigrations(current, migrations('sqlite'), where);
    for (const step of steps) for (const statement of step.statements) db.prepare(statement).run();
    if (steps.length > 0) {
      db.prepare('DELETE FROM floe_status_schema').run();
      db.prepare('INSERT INTO floe_status_schema ("version") VALUES (?)').run(steps.at(-1)!.version);
    }
  }).immediate();
}

/** Opens (creating the file, its directory and tables when absent) the SQLite status store. */
export function openSqliteStatusStore(options: SqliteStatusStoreOptions): SqlStatusStore {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  try {
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, options.path);
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqlStatusStore(new SqliteStatusSql(db), options.path, options.now);
}
