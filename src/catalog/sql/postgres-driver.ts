/**
 * SqlDriver over `pg`. `?` placeholders become `$1..$n`. An error carrying a SQLSTATE means the
 * server rejected the statement (autocommit rolled it back); a dropped connection after sending
 * leaves the outcome unknown.
 */
import pg from 'pg';
import type { SqlDriver } from './sql-driver.ts';

const SQLSTATE = /^[0-9A-Z]{5}$/;
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** Rewrites `?` placeholders to `$1..$n` (the catalog's SQL has no `?` inside literals). */
export function toPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** A PostgreSQL database by connection string, or a caller's Pool (not closed by close()). */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly owned: boolean;

  constructor(urlOrPool: string | pg.Pool) {
    this.owned = typeof urlOrPool === 'string';
    this.pool = typeof urlOrPool === 'string' ? new pg.Pool({ connectionString: urlOrPool, max: 4 }) : urlOrPool;
  }

  async query(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]> {
    return (await this.pool.query(toPgPlaceholders(sql), [...params])).rows as Record<string, unknown>[];
  }

  async run(sql: string, params: readonly unknown[]): Promise<number> {
    return (await this.pool.query(toPgPlaceholders(sql), [...params])).rowCount ?? 0;
  }

  isUniqueViolation(err: unknown): boolean {
    return (err as { code?: unknown } | null)?.code === '23505';
  }

  failedDefinitely(err: unknown): boolean {
    const code = (err as { code?: unknown } | null)?.code;
    return typeof code === 'string' && (SQLSTATE.test(code) || NEVER_CONNECTED.has(code));
  }

  async close(): Promise<void> {
    if (this.owned) await this.pool.end();
  }
}
