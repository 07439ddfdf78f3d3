/**
 * The status store's tables, as numbered migrations per dialect. A store records the version it
 * reached in `floe_status_schema`; opening applies the missing steps in one transaction, and a
 * database at a version newer than this code knows is refused (an older floe must not write it).
 * Column and table names are fixed here and double-quoted (`rows` is a keyword in both dialects).
 */
import { ConfigError } from '../core/errors.ts';

export type StatusDialect = 'sqlite' | 'postgres';

/** One schema step: its version and the statements that reach it from the version before. */
export interface Migration {
  readonly version: number;
  readonly statements: readonly string[];
}

/** Version table DDL (the same in both dialects). */
export const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS floe_status_schema ("version" INTEGER NOT NULL)`;

function v1(dialect: StatusDialect): Migration {
  const big = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  // SQLite fills seq from MAX(seq)+1 in the INSERT (writers are serialized); PostgreSQL from a sequence.
  const seq = dialect === 'sqlite' ? '"seq" INTEGER NOT NULL' : '"seq" BIGSERIAL NOT NULL';
  return {
    version: 1,
    statements: [
      `CREATE TABLE floe_runs (
        "run_id" TEXT PRIMARY KEY, ${seq}, "kind" TEXT NOT NULL, "state" TEXT NOT NULL,
        "started_ms" ${big} NOT NULL, "finished_ms" ${big}, "host" TEXT NOT NULL, "pid" INTEGER NOT NULL, "message" TEXT)`,
      `CREATE INDEX floe_runs_recent ON floe_runs ("started_ms", "seq")`,
      `CREATE TABLE floe_tables (
        "run_id" TEXT NOT NULL REFERENCES floe_runs ("run_id") ON DELETE CASCADE, "target" TEXT NOT NULL, ${seq},
        "source" TEXT NOT NULL, "state" TEXT NOT NULL, "rows" ${big} NOT NULL, "bytes" ${big} NOT NULL,
        "chunks_done" INTEGER NOT NULL, "chunks_total" INTEGER NOT NULL, "started_ms" ${big}, "finished_ms" ${big},
        "snapshot_id" TEXT, "watermark" TEXT, "error" TEXT,
        PRIMARY KEY ("run_id", "target"))`,
      `CREATE INDEX floe_tables_target ON floe_tables ("target")`,
      `CREATE TABLE floe_chunks (
        "run_id" TEXT NOT NULL REFERENCES floe_runs ("run_id") ON DELETE CASCADE, "target" TEXT NOT NULL,
        "chunk_id" TEXT NOT NULL, ${seq}, "state" TEXT NOT NULL, "rows" ${big} NOT NULL, "bytes" ${big} NOT NULL,
        "attempts" INTEGER NOT NULL, "duration_ms" ${big}, "error" TEXT,
        PRIMARY KEY ("run_id", "target", "chunk_id"))`,
      `CREATE INDEX floe_chunks_seq ON floe_chunks ("seq")`,
    ],
  };
}

/** Every migration of `dialect`, in version order. */
export function migrations(dialect: StatusDialect): readonly Migration[] {
  return [v1(dialect)];
}

/** The steps to apply to a database at `current` (0: empty); ConfigError when it is newer than this code. */
export function pendingMigrations(current: number, all: readonly Migration[], where: string): Migration[] {
  const latest = all.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new ConfigError(`status store ${where}: schema version ${current} is newer than this floe knows (${latest}); upgrade floe or use another state path`);
  }
  return all.filter((m) => m.version > current);
}
