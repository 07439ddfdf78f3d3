/**
 * What the SQL catalog needs from a database: parameterized statements with `?` placeholders
 * and two error questions. Each dialect is one small driver file (sqlite-driver.ts, postgres-driver.ts).
 */

/** A SQL database as the catalog uses it; every statement autocommits. */
export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres';
  /** Rows of a SELECT; `?` placeholders bound in order. */
  query(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** Runs an INSERT/UPDATE/DELETE/DDL statement; resolves to the number of rows changed. */
  run(sql: string, params: readonly unknown[]): Promise<number>;
  /** True when `err` is a primary key / unique violation. */
  isUniqueViolation(err: unknown): boolean;
  /** True when `err` proves the statement did not take effect (the database answered with an error, or no connection was made). */
  failedDefinitely(err: unknown): boolean;
  close(): Promise<void>;
}
