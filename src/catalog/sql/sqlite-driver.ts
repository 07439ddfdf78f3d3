/**
 * SqlDriver over better-sqlite3 (v12; v13 crashes on Node 20). Statements run synchronously
 * in-process and each is atomic, so an error always means "not applied".
 */
import Database from 'better-sqlite3';
import type { SqlDriver } from './sql-driver.ts';

/** A SQLite file (or `:memory:`); pass an open Database to share one. Waits up to `busyTimeoutMs` for other writers. */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly owned: boolean;

  constructor(pathOrDb: string | Database.Database, busyTimeoutMs = 5000) {
    this.owned = typeof pathOrDb === 'string';
    this.db = typeof pathOrDb === 'string' ? new Database(pathOrDb) : pathOrDb;
    this.db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  }

  async query(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]> {
    return this.db.prepare(sql).all(...params) as Record<string, unknown>[];
  }

  async run(sql: string, params: readonly unknown[]): Promise<number> {
    return this.db.prepare(sql).run(...params).changes;
  }

  isUniqueViolation(err: unknown): boolean {
    const code = (err as { code?: unknown } | null)?.code;
    return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
  }

  failedDefinitely(_err: unknown): boolean {
    return true;
  }

  async close(): Promise<void> {
    if (this.owned && this.db.open) this.db.close();
  }
}
